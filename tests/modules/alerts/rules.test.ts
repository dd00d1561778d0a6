import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

for (const kind of testDatabaseKinds()) {
  describe(`alert rules API on ${kind}`, () => {
    let uzum: StubServer;
    let app: TestApp;
    let seller: Awaited<ReturnType<TestApp["signUp"]>>;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        return json(wireProduct({ id }));
      });
      app = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url, WEEKLY_BUYERS_BUDGET_MS: "0" } });
      seller = await app.signUp();
      expect((await app.request("POST", "/api/v1/products/901/track", { token: seller.token })).status).toBe(201);
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await uzum?.stop();
    });

    const create = (body: unknown, token = seller.token) => app.request("POST", "/api/v1/alerts/rules", { token, body });

    test("rule round trip", async () => {
      const created = await create({ type: "PRICE_DROP", threshold: 12.5, product_id: 901 });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ type: "PRICE_DROP", threshold: 12.5, product_id: 901, enabled: true });

      const patched = await app.request("PATCH", `/api/v1/alerts/rules/${created.body.id}`, { token: seller.token, body: { threshold: 20, enabled: false } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ threshold: 20, enabled: false });

      const listed = await app.request("GET", "/api/v1/alerts/rules", { token: seller.token });
      expect(listed.body.items.map((rule: { id: string }) => rule.id)).toContain(created.body.id);

      const deleted = await app.request("DELETE", `/api/v1/alerts/rules/${created.body.id}`, { token: seller.token });
      expect(deleted.status).toBe(204);
      const gone = await app.request("GET", `/api/v1/alerts/rules/${created.body.id}`, { token: seller.token });
      expect(gone.status).toBe(404);
      expect(gone.body.error.code).toBe("ALERT_RULE_NOT_FOUND");
    });

    test("threshold must fit the type", async () => {
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ type: "PRICE_DROP" }, 400, "INVALID_ALERT_THRESHOLD"],
        [{ type: "PRICE_DROP", threshold: 100 }, 400, "INVALID_ALERT_THRESHOLD"],
        [{ type: "PRICE_RISE", threshold: 0 }, 400, "INVALID_ALERT_THRESHOLD"],
        [{ type: "STOCK_LOW", threshold: 2.5 }, 400, "INVALID_ALERT_THRESHOLD"],
        [{ type: "OUT_OF_STOCK", threshold: 3 }, 400, "INVALID_ALERT_THRESHOLD"],
        [{ type: "PRICE_CRASH", threshold: 3 }, 422, "VALIDATION_FAILED"],
        [{ type: "STOCK_LOW", threshold: 5, product_id: 902 }, 400, "NOT_TRACKED"],
        [{ type: "STOCK_LOW", threshold: "5" }, 422, "VALIDATION_FAILED"],
      ];
      for (const [body, status, code] of cases) {
        const response = await create(body);
        expect({ body, status: response.status, code: response.body.error?.code }).toEqual({ body, status, code });
      }
      expect((await create({ type: "STOCK_LOW", threshold: 0 })).status).toBe(201);
      expect((await create({ type: "BACK_IN_STOCK", threshold: null })).status).toBe(201);
    });

    test("threshold error names the expectation", async () => {
      const response = await create({ type: "STOCK_LOW", threshold: -1 }, seller.token);
      expect(response.body.error.details).toEqual({ type: "STOCK_LOW", threshold: -1, expected: "whole units from 0 to 1000000" });
      expect(response.body.error.message).toContain("STOCK_LOW");
    });

    test("rules are scoped to the account", async () => {
      const created = await create({ type: "SCORE_SPIKE", threshold: 30 });
      const other = await app.signUp();

      const read = await app.request("GET", `/api/v1/alerts/rules/${created.body.id}`, { token: other.token });
      const patch = await app.request("PATCH", `/api/v1/alerts/rules/${created.body.id}`, { token: other.token, body: { enabled: false } });
      const remove = await app.request("DELETE", `/api/v1/alerts/rules/${created.body.id}`, { token: other.token });
      const list = await app.request("GET", "/api/v1/alerts/rules", { token: other.token });
      const events = await app.request("GET", "/api/v1/alerts/events", { token: other.token });

      expect([read.status, patch.status, remove.status]).toEqual([404, 404, 404]);
      expect(list.body.items).toEqual([]);
      expect(events.body).toEqual({ total: 0, limit: 50, offset: 0, items: [] });
    });

    test("quiet hours default and change", async () => {
      const initial = await app.request("GET", "/api/v1/alerts/settings", { token: seller.token });
      expect(initial.body).toEqual({ quiet_hours_start: "22:00", quiet_hours_end: "08:00", quiet_hours_enabled: true, timezone: "Asia/Tashkent" });

      const off = await app.request("PUT", "/api/v1/alerts/settings", { token: seller.token, body: { quiet_hours_start: "00:00", quiet_hours_end: "00:00" } });
      expect(off.body.quiet_hours_enabled).toBe(false);
      const bad = await app.request("PUT", "/api/v1/alerts/settings", { token: seller.token, body: { quiet_hours_start: "24:00", quiet_hours_end: "08:00" } });
      expect(bad.status).toBe(422);
      const kept = await app.request("GET", "/api/v1/alerts/settings", { token: seller.token });
      expect(kept.body.quiet_hours_enabled).toBe(false);
    });

    test("rules need a signed-in user", async () => {
      const response = await app.request("GET", "/api/v1/alerts/rules");
      expect(response.status).toBe(401);
    });
  });
}
