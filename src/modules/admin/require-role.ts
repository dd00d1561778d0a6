import { Elysia } from "elysia";
import { forbidden } from "../../lib/errors";
import { authGuard } from "./auth-guard";
import type { AuthService } from "./auth-service";
import type { Role } from "./tokens";

/**
 * Requires a signed-in caller (401 otherwise) whose role is one of `roles` (403 FORBIDDEN
 * otherwise) on every route registered after it, and gives those routes the caller as `auth`.
 * A later `requireRole` in the same chain narrows the roles further for the routes after it.
 */
export function requireRole(authService: AuthService, ...roles: Role[]) {
  return new Elysia({ name: "require-role", seed: roles })
    .use(authGuard(authService))
    .onBeforeHandle(({ auth }) => {
      if (!roles.includes(auth.role)) throw forbidden("FORBIDDEN", { required_roles: roles });
    })
    .as("scoped");
}
