import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { signInOperator } from "../../helpers/admin";
import { testDatabaseKinds } from "../../helpers/database";

for (const kind of testDatabaseKinds()) {
  describe(`settings, stats and readiness (${kind})`, () => {
    let app: TestApp;
    let admin: Awaited<ReturnType<typeof signInOperator>>;

    beforeAll(async () => {
      app = await createTestApp({ kind });
      admin = await signInOperator(app);
    });

    afterAll(() => app.close());

    test("lists settings with their defaults", async () => {
      const response = await app.request("GET", "/api/v1/admin/settings", { token: admin.token });
      expect(response.status).toBe(200);
      const budget = response.body.settings.find((setting: { key: string }) => setting.key === "ai.monthly_budget_usd");
      expect(budget.value).toBe(5);
      expect(budget.default).toBe(5);
      expect(budget.updated_by).toBeNull();
    });

    test("validates and audits a setting change", async () => {
      const wrongType = await app.request("PUT", "/api/v1/admin/settings/ai.monthly_budget_usd", { token: admin.token, body: { value: true } });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.error.code).toBe("INVALID_SETTING_VALUE");
      const outOfRange = await app.request("PUT", "/api/v1/admin/settings/ai.monthly_budget_usd", { token: admin.token, body: { value: -1 } });
      expect(outOfRange.status).toBe(400);
      const unknown = await app.request("PUT", "/api/v1/admin/settings/no.such_key", { token: admin.token, body: { value: 1 } });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("SETTING_NOT_FOUND");

      const changed = await app.request("PUT", "/api/v1/admin/settings/ai.monthly_budget_usd", { token: admin.token, body: { value: 20 } });
      expect(changed.status).toBe(200);
      expect(changed.body.value).toBe(20);
      expect(changed.body.updated_by).toBe(admin.userId);

      const audit = await app.request("GET", "/api/v1/admin/audit?action=setting.update&target_id=ai.monthly_budget_usd", { token: admin.token });
      expect(audit.body.items[0].before).toEqual({ value: 5 });
      expect(audit.body.items[0].after).toEqual({ value: 20 });
    });

    test("closing registration rejects sign-up", async () => {
      await app.request("PUT", "/api/v1/admin/settings/registration.open", { token: admin.token, body: { value: false } });
      const closed = await app.request("POST", "/api/v1/auth/register", {
        body: { email: "late@example.uz", password: "Kuchli-parol-2026", account_name: "Kech" },
      });
      await app.request("PUT", "/api/v1/admin/settings/registration.open", { token: admin.token, body: { value: true } });
      expect(closed.status).toBe(403);
      expect(closed.body.error.code).toBe("REGISTRATION_CLOSED");
    });

    test("only super admins change settings", async () => {
      const moderator = await signInOperator(app, "MODERATOR");
      expect((await app.request("GET", "/api/v1/admin/settings", { token: moderator.token })).status).toBe(200);
      const change = await app.request("PUT", "/api/v1/admin/settings/ai.enabled", { token: moderator.token, body: { value: false } });
      expect(change.status).toBe(403);
      const seller = await app.signUp();
      expect((await app.request("GET", "/api/v1/admin/stats", { token: seller.token })).status).toBe(403);
    });

    test("stats count accounts, users and extensions", async () => {
      await app.signUp();
      const response = await app.request("GET", "/api/v1/admin/stats", { token: admin.token });
      expect(response.status).toBe(200);
      const stats = response.body;
      const accountCount = (await app.request("GET", "/api/v1/admin/accounts?limit=1", { token: admin.token })).body.total;
      expect(stats.accounts.total).toBe(accountCount);
      expect(stats.users.active).toBe(stats.users.total);
      expect(stats.snapshot_date).toBe("2026-12-04");
      expect(stats.uzum.error_rate).toBeNull();
      expect(stats.discovery_runs === null || typeof stats.discovery_runs.total === "number").toBe(true);
      const trigram = stats.extensions.find((extension: { name: string }) => extension.name === "pg_trgm");
      expect(trigram.available).toBe(true);
      expect(stats.extensions.map((extension: { name: string }) => extension.name)).toEqual(["pg_trgm", "vector"]);
    });

    test("ready reports extensions", async () => {
      const response = await app.request("GET", "/ready");
      expect(response.status).toBe(200);
      const names = response.body.database.extensions.map((extension: { name: string }) => extension.name);
      expect(names).toEqual(["pg_trgm", "vector"]);
    });
  });
}
