import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { dayMs } from "../../../src/lib/time";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { readSharedFixture, skipWithoutSharedFixtures } from "../../helpers/fixtures";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

const noSharedFixtures = skipWithoutSharedFixtures("product analysis on recorded Uzum data");

/** Products the stub serves, by id; a test changes them to move figures between days. */
const catalogue = new Map<number, unknown>();
let failures: { status: number; remaining: number } | undefined;

for (const kind of testDatabaseKinds()) {
  describe(`product analysis (${kind})`, () => {
    let uzum: StubServer;
    let app: TestApp;
    let token: string;

    beforeAll(async () => {
      uzum = startStub((request) => {
        if (failures && failures.remaining > 0) {
          failures.remaining--;
          return json({ errors: ["down"] }, failures.status);
        }
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        const body = catalogue.get(id);
        return body ? json(body) : json({ errors: [{ message: "not found" }] }, 404);
      });
      app = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url } });
      ({ token } = await app.signUp());
    });

    afterAll(async () => {
      await app.close();
      await uzum.stop();
    });

    beforeEach(() => {
      failures = undefined;
      app.clock.set("2026-12-04T07:00:00Z");
    });

    // Reads ../shared/fixtures/uzum/product-1772350.json, a recorded answer of GET /api/v2/product/1772350.
    test.skipIf(noSharedFixtures)("analyses the recorded product field by field", async () => {
      catalogue.set(1772350, JSON.parse(readSharedFixture("product-1772350.json")));

      const response = await app.request("POST", "/api/v1/uzum/analyze", {
        token,
        body: { url: "https://uzum.uz/uz/product/televizor-uchun-kronshteyn-1772350?skuId=6120890" },
      });

      expect(response.status).toBe(200);
      const analysis = response.body;
      expect(analysis.product_id).toBe(1772350);
      expect(analysis.stock_units).toBe(27);
      expect(analysis.orders_quantity).toBe(32);
      expect(analysis.sell_price).toBe(440000);
      expect(analysis.full_price).toBe(440000);
      expect(analysis.discount_percent).toBe(0);
      expect(analysis.stock_type).toBe("FBO");
      expect(analysis.rating).toBe(4.4);
      expect(analysis.reviews_count).toBe(7);
      expect(analysis.title_uz).toStartWith("Televizor uchun 32");
      expect(analysis.title_ru).toStartWith("Кронштейны для телевизора");
      expect(analysis.category.path).toHaveLength(4);
      expect(analysis.category.path[0]).toEqual({ id: 10020, title: "Elektronika" });
      expect(analysis.category.path[3]).toEqual({ id: 11587, title: "Televizor uchun kronshteynlar" });
      expect(analysis.category.title).toBe("Televizor uchun kronshteynlar");
      expect(analysis.shop).toEqual({ id: 74885, title: "Aeris.uz", rating: 4.8, orders: 133 });
      expect(analysis.photo_urls).toHaveLength(7);
      expect(analysis.photo_url).toBe("https://images.uzum.uz/d19qla27s4fup34akmng/original.jpg");
      expect(analysis.photo_urls[0]).toBe(analysis.photo_url);
      expect(analysis.snapshot_date).toBe("2026-12-04");

      // First sight of the product: no earlier snapshot, so weekly buyers are unknown and count as 0.
      expect(analysis.weekly_buyers).toBeNull();
      expect(analysis.weekly_buyers_source).toBeNull();
      expect(analysis.score_details.weekly_buyers_basis).toBe("assumed_zero");
      const expectedScore = 0.25 * Math.log(33) + 0.1 * 4.4 + 0.1 * 1;
      expect(analysis.score).toBeCloseTo(expectedScore, 3);
      expect(analysis.score_version).toBe(1);
    });

    test("keeps one snapshot per Tashkent day and updates it", async () => {
      catalogue.set(501, wireProduct({ id: 501, orders: 100 }));
      await app.request("GET", "/api/v1/uzum/product/501", { token });

      catalogue.set(501, wireProduct({ id: 501, orders: 104 }));
      app.clock.set("2026-12-04T18:30:00Z"); // 23:30 in Tashkent, still 4 December
      const later = await app.request("GET", "/api/v1/uzum/product/501", { token });
      expect(later.body.orders_quantity).toBe(104);

      const rows = await app.database.query<{ snapshot_date: string; orders_quantity: number }>(
        sql`SELECT snapshot_date::text AS snapshot_date, orders_quantity FROM product_snapshots WHERE product_id = 501`,
      );
      expect(rows).toEqual([{ snapshot_date: "2026-12-04", orders_quantity: 104 }]);
    });

    test("starts a new snapshot after Tashkent midnight", async () => {
      catalogue.set(502, wireProduct({ id: 502, orders: 10 }));
      app.clock.set("2026-12-04T18:59:00Z"); // 23:59 Tashkent
      await app.request("GET", "/api/v1/uzum/product/502", { token });
      app.clock.set("2026-12-04T19:01:00Z"); // 00:01 Tashkent on 5 December
      const next = await app.request("GET", "/api/v1/uzum/product/502", { token });

      expect(next.body.snapshot_date).toBe("2026-12-05");
      const [{ count }] = await app.database.query<{ count: number }>(
        sql`SELECT count(*)::int AS count FROM product_snapshots WHERE product_id = 502`,
      );
      expect(count).toBe(2);
    });

    test("leaves one row after concurrent analyses", async () => {
      catalogue.set(503, wireProduct({ id: 503 }));
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => app.request("GET", "/api/v1/uzum/product/503", { token })),
      );
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200, 200]);

      const [{ count }] = await app.database.query<{ count: number }>(
        sql`SELECT count(*)::int AS count FROM product_snapshots WHERE product_id = 503`,
      );
      expect(count).toBe(1);
      const [{ skuRows }] = await app.database.query<{ skuRows: number }>(
        sql`SELECT count(*)::int AS "skuRows" FROM sku_snapshots WHERE product_id = 503`,
      );
      expect(skuRows).toBe(1);
    });

    test("estimates weekly buyers from a week-old snapshot", async () => {
      catalogue.set(504, wireProduct({ id: 504, orders: 1000 }));
      app.clock.set("2026-11-27T07:00:00Z");
      await app.request("GET", "/api/v1/uzum/product/504", { token });

      catalogue.set(504, wireProduct({ id: 504, orders: 1070 }));
      app.clock.set("2026-12-04T07:00:00Z");
      const response = await app.request("GET", "/api/v1/uzum/product/504", { token });

      expect(response.body.weekly_buyers).toBe(70);
      expect(response.body.weekly_buyers_source).toBe("orders_delta");
      expect(response.body.score_details.weekly_buyers_basis).toBe("current");
      expect(response.body.score_details.weekly_buyers_used).toBe(70);
    });

    test("borrows the last known weekly figure for the score", async () => {
      catalogue.set(505, wireProduct({ id: 505, orders: 1000 }));
      app.clock.set("2026-11-20T07:00:00Z");
      await app.request("GET", "/api/v1/uzum/product/505", { token });
      catalogue.set(505, wireProduct({ id: 505, orders: 1140 }));
      app.clock.set("2026-11-27T07:00:00Z");
      const known = await app.request("GET", "/api/v1/uzum/product/505", { token });
      expect(known.body.weekly_buyers).toBe(140);

      // A week later orders did not move: today's figure is unknown, the score borrows 140.
      app.clock.set("2026-12-04T07:00:00Z");
      const response = await app.request("GET", "/api/v1/uzum/product/505", { token });
      expect(response.body.weekly_buyers).toBeNull();
      expect(response.body.score_details.weekly_buyers_basis).toBe("last_known");
      expect(response.body.score_details.weekly_buyers_used).toBe(140);
      expect(response.body.score_details.weekly_buyers_date).toBe("2026-11-27");
    });

    test("ignores a weekly figure older than 14 days", async () => {
      catalogue.set(506, wireProduct({ id: 506, orders: 1000 }));
      app.clock.set("2026-11-01T07:00:00Z");
      await app.request("GET", "/api/v1/uzum/product/506", { token });
      catalogue.set(506, wireProduct({ id: 506, orders: 1100 }));
      app.clock.set("2026-11-08T07:00:00Z");
      await app.request("GET", "/api/v1/uzum/product/506", { token });

      app.clock.set("2026-12-04T07:00:00Z");
      const response = await app.request("GET", "/api/v1/uzum/product/506", { token });
      expect(response.body.weekly_buyers).toBeNull();
      expect(response.body.score_details.weekly_buyers_basis).toBe("assumed_zero");
    });

    test("never stores rounded orders as weekly buyers", async () => {
      // 44,500 rounded orders growing by 40,000 in a week is above the noise cap.
      catalogue.set(507, wireProduct({ id: 507, orders: 4_512, roundedOrders: 4_500 }));
      app.clock.set(new Date(Date.parse("2026-12-04T07:00:00Z") - 7 * dayMs));
      await app.request("GET", "/api/v1/uzum/product/507", { token });
      catalogue.set(507, wireProduct({ id: 507, orders: 44_530, roundedOrders: 44_500 }));
      app.clock.set("2026-12-04T07:00:00Z");
      const response = await app.request("GET", "/api/v1/uzum/product/507", { token });

      expect(response.body.orders_quantity).toBe(44_530);
      expect(response.body.weekly_buyers).toBeNull();
    });

    test("reads the cheapest in-stock SKU of a multi-SKU product", async () => {
      catalogue.set(508, wireProduct({
        id: 508,
        skus: [
          { id: 5081, price: 50_000, fullPrice: 70_000, stock: 0, type: "FBO" },
          { id: 5082, price: 60_000, fullPrice: 80_000, stock: 4, type: "FBS" },
          { id: 5083, price: 65_000, stock: 2, type: "FBO" },
        ],
      }));
      const response = await app.request("GET", "/api/v1/uzum/product/508", { token });

      expect(response.body.sell_price).toBe(60_000);
      expect(response.body.full_price).toBe(80_000);
      expect(response.body.discount_percent).toBe(25);
      expect(response.body.stock_type).toBe("MIXED");
      expect(response.body.stock_units).toBe(6);
    });

    test("returns 404 PRODUCT_NOT_FOUND for a product Uzum lacks", async () => {
      const response = await app.request("GET", "/api/v1/uzum/product/999999", { token });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("PRODUCT_NOT_FOUND");
    });

    test("returns 502 UZUM_UNAVAILABLE after upstream errors", async () => {
      catalogue.set(509, wireProduct({ id: 509 }));
      failures = { status: 500, remaining: 10 };
      const response = await app.request("GET", "/api/v1/uzum/product/509", { token });
      expect(response.status).toBe(502);
      expect(response.body.error.code).toBe("UZUM_UNAVAILABLE");
    });

    test("retries a failed upstream call", async () => {
      catalogue.set(510, wireProduct({ id: 510, orders: 77 }));
      failures = { status: 503, remaining: 1 };
      const response = await app.request("GET", "/api/v1/uzum/product/510", { token });
      expect(response.status).toBe(200);
      expect(response.body.orders_quantity).toBe(77);
    });

    test("keeps stored data when Uzum fails", async () => {
      catalogue.set(511, wireProduct({ id: 511, orders: 300 }));
      await app.request("GET", "/api/v1/uzum/product/511", { token });

      failures = { status: 500, remaining: 10 };
      await app.request("GET", "/api/v1/uzum/product/511", { token });
      const stored = await app.request("GET", "/api/v1/products/511", { token });
      expect(stored.status).toBe(200);
      expect(stored.body.orders_quantity).toBe(300);
    });

    test("rejects a link to another host without calling it", async () => {
      const before = uzum.requests.length;
      const response = await app.request("POST", "/api/v1/uzum/analyze", {
        token,
        body: { url: "https://evil.example/uz/product/krossovka-1552187" },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe("INVALID_PRODUCT_URL");
      expect(response.body.error.details.hint).toBeString();
      expect(uzum.requests.length).toBe(before);
    });

    test("returns the stored analysis without calling Uzum", async () => {
      catalogue.set(512, wireProduct({ id: 512, orders: 55 }));
      await app.request("GET", "/api/v1/uzum/product/512", { token });
      const before = uzum.requests.length;

      const stored = await app.request("GET", "/api/v1/products/512", { token });
      expect(stored.status).toBe(200);
      expect(stored.body.orders_quantity).toBe(55);
      expect(uzum.requests.length).toBe(before);

      const unknown = await app.request("GET", "/api/v1/products/77777", { token });
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe("PRODUCT_NOT_ANALYZED");
    });

    test("requires a token", async () => {
      const response = await app.request("POST", "/api/v1/uzum/analyze", { body: { url: "1772350" } });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("UNAUTHORIZED");
    });
  });
}
