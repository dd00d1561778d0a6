import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { signInOperator } from "../../helpers/admin";
import { testDatabaseKinds } from "../../helpers/database";

const password = "Kuchli-parol-2026";
const newPassword = "Yangi-parol-2027!";

for (const kind of testDatabaseKinds()) {
  describe(`admin accounts and users (${kind})`, () => {
    let app: TestApp;
    let admin: Awaited<ReturnType<typeof signInOperator>>;
    let moderator: Awaited<ReturnType<typeof signInOperator>>;

    beforeAll(async () => {
      app = await createTestApp({ kind });
      admin = await signInOperator(app, "SUPER_ADMIN");
      moderator = await signInOperator(app, "MODERATOR");
    });

    afterAll(() => app.close());

    const login = (email: string, secret = password) => app.request("POST", "/api/v1/auth/login", { body: { email, password: secret } });

    const createAccount = async (name: string, email: string) => {
      const response = await app.request("POST", "/api/v1/admin/accounts", { token: admin.token, body: { name, email, password } });
      expect(response.status).toBe(201);
      return response.body as { account: { id: string; name: string }; user_id: string };
    };

    test("creates an account with a first admin who can sign in", async () => {
      const created = await createAccount("Chorsu Savdo", "chorsu@example.uz");
      expect(created.account.name).toBe("Chorsu Savdo");

      const session = await login("chorsu@example.uz");
      expect(session.status).toBe(200);
      expect(session.body.user.role).toBe("ADMIN");
      expect(session.body.user.account_id).toBe(created.account.id);
    });

    test("rejects a weak first password and a taken email", async () => {
      const weak = await app.request("POST", "/api/v1/admin/accounts", {
        token: admin.token,
        body: { name: "Zaif", email: "zaif@example.uz", password: "password123" },
      });
      expect(weak.status).toBe(400);
      expect(weak.body.error.code).toBe("WEAK_PASSWORD");

      await createAccount("Birinchi", "taken@example.uz");
      const taken = await app.request("POST", "/api/v1/admin/accounts", {
        token: admin.token,
        body: { name: "Ikkinchi", email: "TAKEN@example.uz", password },
      });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe("EMAIL_TAKEN");
    });

    test("searches accounts by name with pagination", async () => {
      await createAccount("Qidiruv Alfa", "alfa@example.uz");
      await createAccount("Qidiruv Beta", "beta@example.uz");
      await createAccount("Boshqa", "boshqa@example.uz");

      const first = await app.request("GET", "/api/v1/admin/accounts?q=qidiruv&limit=1", { token: admin.token });
      expect(first.status).toBe(200);
      expect(first.body.total).toBe(2);
      expect(first.body.items).toHaveLength(1);

      const second = await app.request("GET", "/api/v1/admin/accounts?q=qidiruv&limit=1&offset=1", { token: admin.token });
      expect(second.body.items).toHaveLength(1);
      expect(second.body.items[0].id).not.toBe(first.body.items[0].id);

      const literal = await app.request("GET", "/api/v1/admin/accounts?q=%25", { token: admin.token });
      expect(literal.body.total).toBe(0);
    });

    test("suspends an account and lets it back in", async () => {
      const created = await createAccount("To'xtatiladigan", "suspend@example.uz");
      const session = (await login("suspend@example.uz")).body;

      const suspend = await app.request("PUT", `/api/v1/admin/accounts/${created.account.id}/status`, {
        token: admin.token,
        body: { status: "SUSPENDED" },
      });
      expect(suspend.status).toBe(200);
      expect(suspend.body.status).toBe("SUSPENDED");

      const blocked = await app.request("GET", "/api/v1/auth/me", { token: session.access_token });
      expect(blocked.status).toBe(403);
      expect(blocked.body.error.code).toBe("ACCOUNT_SUSPENDED");
      expect((await login("suspend@example.uz")).body.error.code).toBe("ACCOUNT_SUSPENDED");

      await app.request("PUT", `/api/v1/admin/accounts/${created.account.id}/status`, { token: admin.token, body: { status: "ACTIVE" } });
      expect((await app.request("GET", "/api/v1/auth/me", { token: session.access_token })).status).toBe(200);
    });

    test("deactivating a user stops their tokens at once", async () => {
      const created = await createAccount("Faolsiz", "inactive@example.uz");
      const session = (await login("inactive@example.uz")).body;

      const response = await app.request("POST", `/api/v1/admin/users/${created.user_id}/deactivate`, { token: admin.token });
      expect(response.status).toBe(200);
      expect(response.body.is_active).toBe(false);

      expect((await app.request("GET", "/api/v1/auth/me", { token: session.access_token })).status).toBe(401);
      expect((await app.request("POST", "/api/v1/auth/refresh", { body: { refresh_token: session.refresh_token } })).status).toBe(401);
      expect((await login("inactive@example.uz")).status).toBe(401);

      await app.request("POST", `/api/v1/admin/users/${created.user_id}/activate`, { token: admin.token });
      expect((await login("inactive@example.uz")).status).toBe(200);
    });

    test("resets a password and signs the user out", async () => {
      const created = await createAccount("Parol", "reset@example.uz");
      const session = (await login("reset@example.uz")).body;

      const weak = await app.request("PUT", `/api/v1/admin/users/${created.user_id}/password`, {
        token: admin.token,
        body: { password: "qwerty1234" },
      });
      expect(weak.status).toBe(400);
      expect(weak.body.error.code).toBe("WEAK_PASSWORD");

      const reset = await app.request("PUT", `/api/v1/admin/users/${created.user_id}/password`, {
        token: admin.token,
        body: { password: newPassword },
      });
      expect(reset.status).toBe(200);
      expect((await app.request("GET", "/api/v1/auth/me", { token: session.access_token })).status).toBe(401);
      expect((await login("reset@example.uz")).status).toBe(401);
      expect((await login("reset@example.uz", newPassword)).status).toBe(200);
    });

    test("role change applies to the next request", async () => {
      const created = await createAccount("Rollar", "roles-owner@example.uz");
      const owner = (await login("roles-owner@example.uz")).body.access_token;
      const added = await app.request("POST", "/api/v1/admin/users", {
        token: owner,
        body: { email: "roles-user@example.uz", password, role: "USER" },
      });
      expect(added.status).toBe(201);
      expect(added.body.account_id).toBe(created.account.id);
      const userToken = (await login("roles-user@example.uz")).body.access_token;

      expect((await app.request("GET", "/api/v1/admin/users", { token: userToken })).status).toBe(403);
      const promoted = await app.request("PUT", `/api/v1/admin/users/${added.body.id}/role`, { token: owner, body: { role: "ADMIN" } });
      expect(promoted.status).toBe(200);
      expect((await app.request("GET", "/api/v1/admin/users", { token: userToken })).status).toBe(200);
    });

    test("account admin manages only their own account", async () => {
      await createAccount("Mening", "mine-owner@example.uz");
      const other = await createAccount("Begona", "other-owner@example.uz");
      const owner = (await login("mine-owner@example.uz")).body.access_token;

      const listed = await app.request("GET", "/api/v1/admin/users", { token: owner });
      expect(listed.body.items.map((user: { email: string }) => user.email)).toEqual(["mine-owner@example.uz"]);

      for (const [method, path, body] of [
        ["GET", `/api/v1/admin/users/${other.user_id}`, undefined],
        ["POST", `/api/v1/admin/users/${other.user_id}/deactivate`, undefined],
        ["PUT", `/api/v1/admin/users/${other.user_id}/role`, { role: "USER" }],
        ["PUT", `/api/v1/admin/users/${other.user_id}/password`, { password: newPassword }],
        ["GET", `/api/v1/admin/accounts/${other.account.id}`, undefined],
        ["GET", `/api/v1/admin/users?account_id=${other.account.id}`, undefined],
        ["POST", "/api/v1/admin/users", { account_id: other.account.id, email: "intruder@example.uz", password }],
      ] as const) {
        const response = await app.request(method, path, { token: owner, body });
        expect(`${method} ${path} ${response.status}`).toBe(`${method} ${path} 404`);
      }

      const grant = await app.request("POST", "/api/v1/admin/users", {
        token: owner,
        body: { email: "would-be-super@example.uz", password, role: "SUPER_ADMIN" },
      });
      expect(grant.status).toBe(403);
      expect((await app.request("GET", "/api/v1/admin/accounts", { token: owner })).status).toBe(403);
      expect((await login("other-owner@example.uz")).status).toBe(200);
    });

    test("nobody changes their own user", async () => {
      const response = await app.request("POST", `/api/v1/admin/users/${admin.userId}/deactivate`, { token: admin.token });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("CANNOT_MODIFY_SELF");
    });

    test("moderator reads but cannot change", async () => {
      const created = await createAccount("Moderatsiya", "moderated@example.uz");
      expect((await app.request("GET", "/api/v1/admin/accounts", { token: moderator.token })).status).toBe(200);
      expect((await app.request("GET", `/api/v1/admin/users/${created.user_id}`, { token: moderator.token })).status).toBe(200);

      const deactivate = await app.request("POST", `/api/v1/admin/users/${created.user_id}/deactivate`, { token: moderator.token });
      expect(deactivate.status).toBe(403);
      const suspend = await app.request("PUT", `/api/v1/admin/accounts/${created.account.id}/status`, {
        token: moderator.token,
        body: { status: "SUSPENDED" },
      });
      expect(suspend.status).toBe(403);
      expect((await login("moderated@example.uz")).status).toBe(200);
    });

    test("audit records who changed what, with filters", async () => {
      const created = await createAccount("Audit", "audit@example.uz");
      await app.request("POST", `/api/v1/admin/users/${created.user_id}/deactivate`, { token: admin.token });

      const entries = await app.request(
        "GET",
        `/api/v1/admin/audit?action=user.deactivate&target_id=${created.user_id}&actor_user_id=${admin.userId}`,
        { token: admin.token },
      );
      expect(entries.status).toBe(200);
      expect(entries.body.total).toBe(1);
      const [entry] = entries.body.items;
      expect(entry.account_id).toBe(created.account.id);
      expect(entry.before).toMatchObject({ email: "audit@example.uz", is_active: true });
      expect(entry.after).toMatchObject({ is_active: false, sessions_revoked: 0 });

      const byAccount = await app.request("GET", `/api/v1/admin/audit?account_id=${created.account.id}`, { token: admin.token });
      expect(byAccount.body.items.map((item: { action: string }) => item.action)).toEqual(["user.deactivate", "account.create"]);

      const later = new Date(app.clock.now().getTime() + 1000).toISOString();
      const none = await app.request("GET", `/api/v1/admin/audit?account_id=${created.account.id}&from=${later}`, { token: admin.token });
      expect(none.body.total).toBe(0);

      const owner = (await login("chorsu@example.uz")).body.access_token;
      const foreign = await app.request("GET", "/api/v1/admin/audit", { token: owner });
      expect(foreign.status).toBe(200);
      expect(foreign.body.items.every((item: { account_id: string }) => item.account_id !== created.account.id)).toBe(true);
    });
  });
}
