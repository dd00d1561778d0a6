import { Elysia } from "elysia";
import type { AuthService } from "./auth-service";

/**
 * Requires `Authorization: Bearer <access token>` on every route registered after it,
 * and gives those routes the caller as `auth`.
 */
export function authGuard(authService: AuthService) {
  return new Elysia({ name: "auth-guard" }).resolve({ as: "scoped" }, async ({ headers }) => ({
    auth: await authService.authenticate(headers.authorization),
  }));
}
