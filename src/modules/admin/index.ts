import { Elysia, t } from "elysia";
import { errorEnvelope } from "../../lib/http";
import { authGuard } from "./auth-guard";
import type { AuthService } from "./auth-service";
import { loginBody, refreshBody, registerBody, sessionView, toSessionView } from "./model";

const authErrors = { 400: errorEnvelope, 401: errorEnvelope, 403: errorEnvelope, 409: errorEnvelope, 422: errorEnvelope };

/** Sign-up, sign-in, token refresh and sign-out under /api/v1/auth. */
export function authRoutes(authService: AuthService) {
  return new Elysia({ prefix: "/api/v1/auth", tags: ["auth"] })
    .post(
      "/register",
      async ({ body, set }) => {
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
        response: { 204: t.Void(), 401: errorEnvelope },
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
        },
        detail: { summary: "The signed-in user", security: [{ bearer: [] }] },
      },
    );
}
