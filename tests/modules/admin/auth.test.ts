import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { SignJWT } from "jose";
import { accounts, users } from "../../../src/db/schema";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";

const password = "Kuchli-parol-2026";

for (const kind of testDatabaseKinds()) {
  describe(`auth (${kind})`, () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await createTestApp({ kind });
    });

    afterAll(() => app.close());

    const register = (email: string, body: Record<string, unknown> = {}) =>
      app.request("POST", "/api/v1/auth/register", { body: { email, password, account_name: "Aeris", ...body } });

    test("registers an account with its first user", async () => {
      const response = await register("Owner@Example.uz");
      expect(response.status).toBe(201);
      expect(response.body.token_type).toBe("Bearer");
      expect(response.body.user.email).toBe("owner@example.uz");
      expect(response.body.user.role).toBe("ADMIN");
      expect(response.body.user.account_name).toBe("Aeris");

      const me = await app.request("GET", "/api/v1/auth/me", { token: response.body.access_token });
      expect(me.status).toBe(200);
      expect(me.body.account_id).toBe(response.body.user.account_id);
    });

    test("rejects a second user with the same email in any case", async () => {
      await register("twice@example.uz");
      const response = await register("TWICE@example.uz");
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe("EMAIL_TAKEN");
    });

    test("rejects weak passwords", async () => {
      const cases: Array<[email: string, password: string, codes: string[]]> = [
        ["weak-short@example.uz", "short1!", ["too_short"]],
        ["weak-common@example.uz", "password123", ["common"]],
        ["weak-repeat@example.uz", "aaaaaaaaaaaa", ["repeated_character"]],
        ["dilnoza.karimova@example.uz", "Dilnoza.Karimova2026", ["contains_email_name"]],
      ];
      for (const [email, password, codes] of cases) {
        const response = await register(email, { password });
        expect(response.status).toBe(400);
        expect(response.body.error.code).toBe("WEAK_PASSWORD");
        expect(response.body.error.details.reason_codes).toEqual(codes);
      }
    });

    test("logs in and rejects a wrong password alike for unknown emails", async () => {
      await register("login@example.uz");
      const ok = await app.request("POST", "/api/v1/auth/login", { body: { email: "login@example.uz", password } });
      expect(ok.status).toBe(200);

      const wrong = await app.request("POST", "/api/v1/auth/login", { body: { email: "login@example.uz", password: "nope-nope-nope" } });
      const unknown = await app.request("POST", "/api/v1/auth/login", { body: { email: "ghost@example.uz", password } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body.error.code).toBe("INVALID_CREDENTIALS");
      expect(unknown.body.error).toEqual(wrong.body.error);
    });

    test("rotates refresh tokens and revokes the session on reuse", async () => {
      const first = (await register("rotate@example.uz")).body;

      const second = await app.request("POST", "/api/v1/auth/refresh", { body: { refresh_token: first.refresh_token } });
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.refresh_token);

      // The old token comes back: someone copied it, so the whole session ends.
      const replay = await app.request("POST", "/api/v1/auth/refresh", { body: { refresh_token: first.refresh_token } });
      expect(replay.status).toBe(401);
      expect(replay.body.error.code).toBe("INVALID_REFRESH_TOKEN");

      const afterReplay = await app.request("POST", "/api/v1/auth/refresh", { body: { refresh_token: second.body.refresh_token } });
      expect(afterReplay.status).toBe(401);
      const me = await app.request("GET", "/api/v1/auth/me", { token: second.body.access_token });
      expect(me.status).toBe(401);
    });

    test("logs out and stops the access token at once", async () => {
      const session = (await register("logout@example.uz")).body;
      const logout = await app.request("POST", "/api/v1/auth/logout", { token: session.access_token });
      expect(logout.status).toBe(204);

      const me = await app.request("GET", "/api/v1/auth/me", { token: session.access_token });
      expect(me.status).toBe(401);
      const refresh = await app.request("POST", "/api/v1/auth/refresh", { body: { refresh_token: session.refresh_token } });
      expect(refresh.status).toBe(401);
    });

    test("rejects expired, tampered, foreign and unsigned tokens", async () => {
      const session = (await register("tokens@example.uz")).body;
      const [header, payload, signature] = session.access_token.split(".");

      const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
      const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, role: "SUPER_ADMIN" })).toString("base64url");
      const tampered = `${header}.${tamperedPayload}.${signature}`;

      const unsignedHeader = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
      const unsigned = `${unsignedHeader}.${payload}.`;

      const foreign = await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));

      for (const token of [tampered, unsigned, foreign, "not-a-jwt"]) {
        const response = await app.request("GET", "/api/v1/auth/me", { token });
        expect(response.status).toBe(401);
        expect(response.body.error.code).toBe("UNAUTHORIZED");
      }

      app.clock.advance(2 * 24 * 3600 * 1000);
      const expired = await app.request("GET", "/api/v1/auth/me", { token: session.access_token });
      app.clock.set("2026-12-04T07:00:00Z");
      expect(expired.status).toBe(401);
      expect(expired.body.error.code).toBe("TOKEN_EXPIRED");
    });

    test("stops a deactivated user's token at once", async () => {
      const session = (await register("deactivated@example.uz")).body;
      await app.database.db.update(users).set({ isActive: false }).where(eq(users.id, session.user.id));

      const me = await app.request("GET", "/api/v1/auth/me", { token: session.access_token });
      expect(me.status).toBe(401);
    });

    test("answers 403 ACCOUNT_SUSPENDED for a suspended account", async () => {
      const session = (await register("suspended@example.uz")).body;
      await app.database.db.update(accounts).set({ status: "SUSPENDED" }).where(eq(accounts.id, session.user.account_id));

      const me = await app.request("GET", "/api/v1/auth/me", { token: session.access_token });
      expect(me.status).toBe(403);
      expect(me.body.error.code).toBe("ACCOUNT_SUSPENDED");
    });

    test("upgrades a bcrypt hash to Argon2id at login", async () => {
      const session = (await register("legacy@example.uz")).body;
      const bcrypt = await Bun.password.hash(password, { algorithm: "bcrypt", cost: 4 });
      await app.database.db.update(users).set({ passwordHash: bcrypt }).where(eq(users.id, session.user.id));

      const login = await app.request("POST", "/api/v1/auth/login", { body: { email: "legacy@example.uz", password } });
      expect(login.status).toBe(200);
      const [row] = await app.database.db.select().from(users).where(eq(users.id, session.user.id));
      expect(row.passwordHash).toStartWith("$argon2id$");
    });

    test("never returns the password hash", async () => {
      const response = await register("nohash@example.uz");
      expect(JSON.stringify(response.body)).not.toContain("argon2");
    });
  });
}
