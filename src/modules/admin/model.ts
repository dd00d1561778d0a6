import { t } from "elysia";
import type { SessionTokens } from "./auth-service";

const email = t.String({ format: "email", minLength: 3, maxLength: 254 });

export const registerBody = t.Object({
  email,
  password: t.String({ minLength: 1, maxLength: 256, description: "At least 10 characters, not a common password" }),
  account_name: t.String({ minLength: 1, maxLength: 120, pattern: "\\S" }),
});

export const loginBody = t.Object({
  email,
  password: t.String({ minLength: 1, maxLength: 256 }),
});

export const refreshBody = t.Object({
  refresh_token: t.String({ minLength: 16, maxLength: 200 }),
});

export const sessionView = t.Object({
  access_token: t.String(),
  refresh_token: t.String(),
  token_type: t.Literal("Bearer"),
  expires_in: t.Integer({ description: "Seconds until the access token expires" }),
  user: t.Object({
    id: t.String({ format: "uuid" }),
    email: t.String(),
    role: t.String(),
    account_id: t.String({ format: "uuid" }),
    account_name: t.String(),
  }),
});

export function toSessionView(tokens: SessionTokens) {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: "Bearer" as const,
    expires_in: tokens.expiresInSeconds,
    user: {
      id: tokens.user.id,
      email: tokens.user.email,
      role: tokens.user.role,
      account_id: tokens.user.accountId,
      account_name: tokens.user.accountName,
    },
  };
}
