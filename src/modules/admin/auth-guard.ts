import { Elysia } from "elysia";
import type { AuthService } from "./auth-service";

/**
 * Requires `Authorization: Bearer <access token>` on every route registered after it,
 * and gives those routes the caller as `auth`. It runs as a derive, before the request is
 * validated, so a caller without a valid token gets 401 whatever the body contains.
 */
export function authGuard(authService: AuthService) {
  return new Elysia({ name: "auth-guard" }).derive({ as: "scoped" }, async ({ headers }) => ({
    auth: await authService.authenticate(headers.authorization),
  }));
}
