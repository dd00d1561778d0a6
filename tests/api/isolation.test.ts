import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createTestApp, type TestApp } from "../helpers/app";
import { testDatabaseKinds } from "../helpers/database";
import { json, startStub, type StubServer } from "../helpers/stub-server";
import { wireProduct } from "../helpers/uzum-wire";

/**
 * Every table with an `account_id` column, and how this test covers it. A new account-scoped
 * table fails the last test until it is added here with routes probed below.
 */
const accountScopedTables: Record<string, string> = {
  users: "admin user routes",
  sessions: "reached only through the caller's own token",
  tracked_products: "tracking routes",
  audit_log: "admin audit listing",
  ai_usage: "written per caller; no route reads it back",
  discovery_runs: "discovery run routes",
  discovery_winners: "read through the caller's own discovery run",
  alert_rules: "alert rule routes",
  alert_events: "not probed: no alert fires in this test",
  alert_settings: "each account reads back its own quiet hours",
  bot_chats: "unlinking acts on the caller's own user",
  bot_link_codes: "created for the caller; redeemed only through Telegram",
};

interface Tenant {
  token: string;
  accountId: string;
  userId: string;
  memberId: string;
  productId: number;
  ruleId: string;
  runId: string;
}

for (const kind of testDatabaseKinds()) {
  describe(`two-account isolation (${kind})`, () => {
    let uzum: StubServer;
    let app: TestApp;
    let first: Tenant;
    let second: Tenant;

    async function createTenant(name: string, productId: number, quietHoursStart: string): Promise<Tenant> {
      const owner = await app.signUp(`${name}-owner@example.uz`);
      const call = async (method: string, path: string, body?: unknown) => {
        const response = await app.request(method, path, { token: owner.token, body });
        expect(`${method} ${path} ${response.status}`).toMatch(/ 20[0-2]$/);
        return response.body;
      };

      const member = await call("POST", "/api/v1/admin/users", { email: `${name}-member@example.uz`, password: "Kuchli-parol-2026", role: "USER" });
      await call("POST", `/api/v1/products/${productId}/track`);
      await call("POST", `/api/v1/ai/explain/${productId}`, {});
      const rule = await call("POST", "/api/v1/alerts/rules", { type: "OUT_OF_STOCK", product_id: productId });
      await call("PUT", "/api/v1/alerts/settings", { quiet_hours_start: quietHoursStart, quiet_hours_end: "07:00" });
      const run = await call("POST", "/api/v1/discovery/runs", { input: "10091" });
      return { token: owner.token, accountId: owner.accountId, userId: owner.userId, memberId: member.id, productId, ruleId: rule.id, runId: run.id };
    }

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        return id ? json(wireProduct({ id })) : json({ errors: ["not found"] }, 404);
      });
      app = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url } });
      first = await createTenant("alfa", 601, "23:00");
      second = await createTenant("beta", 602, "21:30");
    });

    afterAll(async () => {
      await app.close();
      await uzum.stop();
    });

    test("other account's ids answer 404", async () => {
      const probes: Array<[string, string, unknown?]> = [
        ["GET", `/api/v1/alerts/rules/${first.ruleId}`],
        ["PATCH", `/api/v1/alerts/rules/${first.ruleId}`, { enabled: false }],
        ["DELETE", `/api/v1/alerts/rules/${first.ruleId}`],
        ["GET", `/api/v1/discovery/runs/${first.runId}`],
        ["DELETE", `/api/v1/discovery/runs/${first.runId}`],
        ["GET", `/api/v1/admin/accounts/${first.accountId}`],
        ["GET", `/api/v1/admin/users/${first.memberId}`],
        ["PUT", `/api/v1/admin/users/${first.memberId}/role`, { role: "ADMIN" }],
        ["PUT", `/api/v1/admin/users/${first.memberId}/password`, { password: "Begona-parol-2026" }],
        ["POST", `/api/v1/admin/users/${first.memberId}/deactivate`],
        ["GET", `/api/v1/admin/users?account_id=${first.accountId}`],
        ["GET", `/api/v1/admin/audit?account_id=${first.accountId}`],
        ["DELETE", `/api/v1/products/${first.productId}/track`],
      ];
      const answers = [];
      for (const [method, path, body] of probes) {
        const response = await app.request(method, path, { token: second.token, body });
        answers.push(`${method} ${path} ${response.status}`);
      }
      expect(answers).toEqual(probes.map(([method, path]) => `${method} ${path} 404`));
    });

    test("lists show only the caller's rows", async () => {
      const lists: Array<[string, (body: any) => unknown[]]> = [
        ["/api/v1/products/tracked", (body) => body.items.map((item: any) => item.product_id)],
        ["/api/v1/alerts/rules", (body) => body.items.map((item: any) => item.id)],
        ["/api/v1/discovery/runs", (body) => body.items.map((item: any) => item.id)],
        ["/api/v1/admin/users", (body) => body.items.map((item: any) => item.id)],
        ["/api/v1/admin/audit", (body) => body.items.map((item: any) => item.account_id)],
      ];
      const firstIds = new Set<unknown>([first.productId, first.ruleId, first.runId, first.userId, first.memberId, first.accountId]);
      for (const [path, ids] of lists) {
        const response = await app.request("GET", path, { token: second.token });
        expect(`${path} ${response.status}`).toBe(`${path} 200`);
        const leaked = ids(response.body).filter((id) => firstIds.has(id));
        expect(`${path} ${leaked.join(",")}`).toBe(`${path} `);
        expect(ids(response.body).length).toBeGreaterThan(0);
      }
    });

    test("each account reads its own alert settings", async () => {
      const firstSettings = await app.request("GET", "/api/v1/alerts/settings", { token: first.token });
      const secondSettings = await app.request("GET", "/api/v1/alerts/settings", { token: second.token });
      expect(firstSettings.body.quiet_hours_start).toBe("23:00");
      expect(secondSettings.body.quiet_hours_start).toBe("21:30");
    });

    test("the probes changed nothing of the other account", async () => {
      const rule = await app.request("GET", `/api/v1/alerts/rules/${first.ruleId}`, { token: first.token });
      expect(rule.status).toBe(200);
      expect(rule.body.enabled).toBe(true);

      const run = await app.request("GET", `/api/v1/discovery/runs/${first.runId}`, { token: first.token });
      expect(run.status).toBe(200);
      expect(run.body.status).not.toBe("CANCELLED");

      const member = await app.request("GET", `/api/v1/admin/users/${first.memberId}`, { token: first.token });
      expect(member.body.role).toBe("USER");
      expect(member.body.is_active).toBe(true);

      const tracked = await app.request("GET", "/api/v1/products/tracked", { token: first.token });
      expect(tracked.body.items.map((item: any) => item.product_id)).toEqual([first.productId]);

      const login = await app.request("POST", "/api/v1/auth/login", { body: { email: "alfa-member@example.uz", password: "Kuchli-parol-2026" } });
      expect(login.status).toBe(200);
    });

    test("every account-scoped table is covered", async () => {
      const rows = await app.database.query<{ table_name: string }>(
        sql`SELECT DISTINCT table_name FROM information_schema.columns
            WHERE table_schema = 'public' AND column_name = 'account_id' ORDER BY table_name`,
      );
      const uncovered = rows.map((row) => row.table_name).filter((table) => !(table in accountScopedTables));
      expect(uncovered).toEqual([]);
    });
  });
}
