import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

const catalogue = new Map<number, unknown>();

for (const kind of testDatabaseKinds()) {
  describe(`tracking and stored views (${kind})`, () => {
    let uzum: StubServer;
    let app: TestApp;
    let seller: { token: string };
    let rival: { token: string };

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        const body = catalogue.get(id);
        return body ? json(body) : json({}, 404);
      });
      app = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url } });
      seller = await app.signUp();
      rival = await app.signUp();
    });

    afterAll(async () => {
      await app.close();
      await uzum.stop();
    });

    beforeEach(() => app.clock.set("2026-12-04T07:00:00Z"));

    const analyze = (id: number, token = seller.token) => app.request("GET", `/api/v1/uzum/product/${id}`, { token });

    test("tracks a product never analysed by analysing it first", async () => {
      catalogue.set(601, wireProduct({ id: 601, orders: 40 }));
      const response = await app.request("POST", "/api/v1/products/601/track", { token: seller.token });

      expect(response.status).toBe(201);
      expect(response.body.tracked_since).toBe("2026-12-04T07:00:00.000Z");
      const stored = await app.request("GET", "/api/v1/products/601", { token: seller.token });
      expect(stored.body.orders_quantity).toBe(40);
    });

    test("answers 200 when the product is already tracked", async () => {
      catalogue.set(602, wireProduct({ id: 602 }));
      await app.request("POST", "/api/v1/products/602/track", { token: seller.token });
      app.clock.set("2026-12-04T09:00:00Z");
      const again = await app.request("POST", "/api/v1/products/602/track", { token: seller.token });

      expect(again.status).toBe(200);
      expect(again.body.tracked_since).toBe("2026-12-04T07:00:00.000Z");
    });

    test("restarts tracked_since after untracking", async () => {
      catalogue.set(603, wireProduct({ id: 603 }));
      await app.request("POST", "/api/v1/products/603/track", { token: seller.token });
      const untracked = await app.request("DELETE", "/api/v1/products/603/track", { token: seller.token });
      expect(untracked.status).toBe(200);
      expect(untracked.body.tracked).toBe(false);

      app.clock.set("2026-12-04T20:00:00Z");
      const retracked = await app.request("POST", "/api/v1/products/603/track", { token: seller.token });
      expect(retracked.status).toBe(201);
      expect(retracked.body.tracked_since).toBe("2026-12-04T20:00:00.000Z");
    });

    test("returns 404 NOT_TRACKED when untracking an untracked product", async () => {
      catalogue.set(604, wireProduct({ id: 604 }));
      await analyze(604);
      const response = await app.request("DELETE", "/api/v1/products/604/track", { token: seller.token });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("NOT_TRACKED");
    });

    test("keeps each account's tracked list its own", async () => {
      catalogue.set(605, wireProduct({ id: 605 }));
      await app.request("POST", "/api/v1/products/605/track", { token: rival.token });

      const mine = await app.request("GET", "/api/v1/products/tracked", { token: seller.token });
      expect(mine.body.items.map((item: { product_id: number }) => item.product_id)).not.toContain(605);

      const theirs = await app.request("GET", "/api/v1/products/tracked", { token: rival.token });
      expect(theirs.body.items.map((item: { product_id: number }) => item.product_id)).toEqual([605]);

      // The other account cannot end a tracking it does not own.
      const untrack = await app.request("DELETE", "/api/v1/products/605/track", { token: seller.token });
      expect(untrack.status).toBe(404);
      const still = await app.request("GET", "/api/v1/products/tracked", { token: rival.token });
      expect(still.body.total).toBe(1);
    });

    test("lists tracked products with latest figures and score trend", async () => {
      const list = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url } });
      try {
        const owner = await list.signUp();
        catalogue.set(606, wireProduct({ id: 606, orders: 100, rating: 4.0 }));
        list.clock.set("2026-12-01T07:00:00Z");
        await list.request("POST", "/api/v1/products/606/track", { token: owner.token });

        catalogue.set(606, wireProduct({ id: 606, orders: 130, rating: 4.6 }));
        list.clock.set("2026-12-04T07:00:00Z");
        await list.request("GET", "/api/v1/uzum/product/606", { token: owner.token });

        const response = await list.request("GET", "/api/v1/products/tracked?limit=10", { token: owner.token });
        expect(response.status).toBe(200);
        expect(response.body.total).toBe(1);
        const [item] = response.body.items;
        expect(item.product_id).toBe(606);
        expect(item.orders_quantity).toBe(130);
        expect(item.tracked_since).toBe("2026-12-01T07:00:00.000Z");
        expect(item.score_trend.direction).toBe("up");
        expect(item.score_trend.history.map((point: { date: string }) => point.date)).toEqual(["2026-12-01", "2026-12-04"]);
      } finally {
        await list.close();
      }
    });

    test("pages the tracked list", async () => {
      const paged = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url } });
      try {
        const owner = await paged.signUp();
        for (const id of [611, 612, 613]) {
          catalogue.set(id, wireProduct({ id }));
          paged.clock.advance(60_000);
          await paged.request("POST", `/api/v1/products/${id}/track`, { token: owner.token });
        }
        const page = await paged.request("GET", "/api/v1/products/tracked?limit=2&offset=1", { token: owner.token });
        expect(page.body.total).toBe(3);
        expect(page.body.items.map((item: { product_id: number }) => item.product_id)).toEqual([612, 611]);
      } finally {
        await paged.close();
      }
    });

    test("reports daily sales per Tashkent day", async () => {
      const days: Array<[string, number]> = [
        ["2026-11-30T05:00:00Z", 100],
        ["2026-12-01T05:00:00Z", 112],
        ["2026-12-02T05:00:00Z", 110], // Uzum corrected the total down: no daily figure
        ["2026-12-04T05:00:00Z", 125], // 3 December is missing: no daily figure
      ];
      for (const [instant, orders] of days) {
        catalogue.set(620, wireProduct({ id: 620, orders }));
        app.clock.set(instant);
        await analyze(620);
      }
      // A later reading the same day replaces that day's total.
      catalogue.set(620, wireProduct({ id: 620, orders: 131 }));
      app.clock.set("2026-12-04T17:00:00Z");
      await analyze(620);

      const response = await app.request("GET", "/api/v1/products/620/snapshots?days=30", { token: seller.token });
      expect(response.status).toBe(200);
      const series = response.body.snapshots.map((point: { snapshot_date: string; daily_sales: number | null; orders_quantity: number }) => [
        point.snapshot_date,
        point.orders_quantity,
        point.daily_sales,
      ]);
      expect(series).toEqual([
        ["2026-11-30", 100, null],
        ["2026-12-01", 112, 12],
        ["2026-12-02", 110, null],
        ["2026-12-04", 131, null],
      ]);

      const short = await app.request("GET", "/api/v1/products/620/snapshots?days=3", { token: seller.token });
      expect(short.body.snapshots.map((point: { snapshot_date: string }) => point.snapshot_date)).toEqual(["2026-12-02", "2026-12-04"]);
    });

    test("rejects an out-of-range days value", async () => {
      const response = await app.request("GET", "/api/v1/products/620/snapshots?days=0", { token: seller.token });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");
    });

    test("quick-scores a stored product without calling Uzum", async () => {
      catalogue.set(630, wireProduct({ id: 630, orders: 10 }));
      await analyze(630);
      const before = uzum.requests.length;

      const response = await app.request("GET", "/api/v1/uzum/product/630/quick-score", { token: seller.token });
      expect(response.status).toBe(200);
      expect(response.body.product_id).toBe(630);
      expect(response.body.score).toBeNumber();
      expect(uzum.requests.length).toBe(before);

      const missing = await app.request("GET", "/api/v1/uzum/product/639/quick-score", { token: seller.token });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe("PRODUCT_NOT_ANALYZED");
    });

    test("batch quick-scores in request order with unknown ids marked", async () => {
      catalogue.set(631, wireProduct({ id: 631, orders: 10 }));
      catalogue.set(632, wireProduct({ id: 632, orders: 20 }));
      await analyze(631);
      await analyze(632);
      const before = uzum.requests.length;

      const response = await app.request("POST", "/api/v1/uzum/batch-quick-score", {
        token: seller.token,
        headers: { "accept-language": "ru" },
        body: { product_ids: [632, 9999, 631, 632] },
      });
      expect(response.status).toBe(200);
      const results = response.body.results;
      expect(results.map((result: { product_id: number }) => result.product_id)).toEqual([632, 9999, 631, 632]);
      expect(results.map((result: { found: boolean }) => result.found)).toEqual([true, false, true, true]);
      expect(results[0].orders_quantity).toBe(20);
      expect(results[1].error.code).toBe("PRODUCT_NOT_ANALYZED");
      expect(results[1].error.message).toContain("анализ");
      expect(uzum.requests.length).toBe(before);
    });

    test("rejects a batch of more than 50 ids", async () => {
      const ids = Array.from({ length: 51 }, (_, index) => index + 1);
      const response = await app.request("POST", "/api/v1/uzum/batch-quick-score", { token: seller.token, body: { product_ids: ids } });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");
    });
  });
}
