import { Elysia, t } from "elysia";
import { forbidden } from "../../lib/errors";
import { errorEnvelope } from "../../lib/http";
import { clientIpOf, type LimitRule } from "../../lib/rate-limit";
import type { SharedRateLimiter } from "../../lib/shared-rate-limit";
import { authGuard } from "./auth-guard";
import { normalizeEmail, type AuthService } from "./auth-service";
import type { SettingsService } from "./settings";
import { loginBody, refreshBody, registerBody, sessionView, toSessionView } from "./model";

const authErrors = { 400: errorEnvelope, 401: errorEnvelope, 403: errorEnvelope, 409: errorEnvelope, 422: errorEnvelope, 429: errorEnvelope };

export interface AuthRoutesGuards {
  limiter: SharedRateLimiter;
  /** Login attempts allowed per email and IP address in the rule's window. */
  loginRule: LimitRule;
  settings: SettingsService;
}

/** Sign-up, sign-in, token refresh and sign-out under /api/v1/auth. */
export function authRoutes(authService: AuthService, guards: AuthRoutesGuards) {
  return new Elysia({ prefix: "/api/v1/auth", tags: ["auth"] })
    .post(
      "/register",
      async ({ body, set }) => {
        if (!(await guards.settings.get("registration.open"))) throw forbidden("REGISTRATION_CLOSED");
        const tokens = await authService.register({
          email: body.email,
          password: body.password,
          accountName: body.account_name,
        });
        set.status = 201;
        return toSessionView(tokens);
      },
      { body: registerBody, response: { 201: sessionView, ...authErrors }, detail: { summary: "Create an account and its first user" } },
    )
    .post("/login", async ({ body }) => toSessionView(await authService.login(body)), {
      // Counted before the password is checked, so guessing is slowed whether or not a guess is right.
      beforeHandle: async ({ body, request }) => {
        await guards.limiter.hit("login", `${normalizeEmail(body.email)}|${clientIpOf(request)}`, guards.loginRule);
      },
      body: loginBody,
      response: { 200: sessionView, ...authErrors },
      detail: { summary: "Sign in with email and password" },
    })
    .post("/refresh", async ({ body }) => toSessionView(await authService.refresh(body.refresh_token)), {
      body: refreshBody,
      response: { 200: sessionView, ...authErrors },
      detail: { summary: "Swap a refresh token for a new token pair; each refresh token works once" },
    })
    .use(authGuard(authService))
    .post(
      "/logout",
      async ({ auth, set }) => {
        await authService.logout(auth.sessionId);
        set.status = 204;
      },
      {
        response: { 204: t.Void(), 401: errorEnvelope, 429: errorEnvelope },
        detail: { summary: "End the session of the access token", security: [{ bearer: [] }] },
      },
    )
    .get(
      "/me",
      ({ auth }) => ({ id: auth.userId, email: auth.email, role: auth.role, account_id: auth.accountId }),
      {
        response: {
          200: t.Object({ id: t.String(), email: t.String(), role: t.String(), account_id: t.String() }),
          401: errorEnvelope,
          429: errorEnvelope,
        },
        detail: { summary: "The signed-in user", security: [{ bearer: [] }] },
      },
    );
}
