import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { dailySales } from "../../src/db/schema";
import { updateDailySales } from "../../src/jobs/daily-sales";
import { createTestApp, type TestApp } from "../helpers/app";
import { testDatabaseKinds } from "../helpers/database";
import { json, startStub, type StubServer } from "../helpers/stub-server";
import { wireProduct } from "../helpers/uzum-wire";

const orders = new Map<number, number>();

for (const kind of testDatabaseKinds()) {
  describe(`daily-sales on ${kind}`, () => {
    let uzum: StubServer;
    let app: TestApp;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        return json(wireProduct({ id, orders: orders.get(id) ?? 0 }));
      });
      app = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url, WEEKLY_BUYERS_BUDGET_MS: "0" } });
    }, 120_000);

    afterAll(async () => {
      await app.close();
      await uzum.stop();
    });

    /** Analyses the product at `instant` with the stub reporting `total` orders. */
    async function analyzeAt(productId: number, instant: string, total: number) {
      orders.set(productId, total);
      app.clock.set(instant);
      await app.services.products.analyze(productId, { readBanner: false });
    }

    const rowsOf = (productId: number) =>
      app.database.db.select().from(dailySales).where(eq(dailySales.productId, productId)).orderBy(asc(dailySales.salesDate));

    test("00:30 Tashkent counts for that day", async () => {
      await analyzeAt(801, "2026-03-08T10:00:00Z", 100);
      await analyzeAt(801, "2026-03-09T10:00:00Z", 120);
      // 00:30 on 10 March in Tashkent, still 9 March in UTC.
      await analyzeAt(801, "2026-03-09T19:30:00Z", 130);

      await updateDailySales(app.database.db);

      expect(await rowsOf(801)).toEqual([
        { productId: 801, salesDate: "2026-03-08", ordersQuantity: 100, unitsSold: null },
        { productId: 801, salesDate: "2026-03-09", ordersQuantity: 120, unitsSold: 20 },
        { productId: 801, salesDate: "2026-03-10", ordersQuantity: 130, unitsSold: 10 },
      ]);
    }, 60_000);

    test("drop in total gives null", async () => {
      await analyzeAt(802, "2026-03-08T10:00:00Z", 500);
      await analyzeAt(802, "2026-03-09T10:00:00Z", 480);

      await updateDailySales(app.database.db);

      const rows = await rowsOf(802);
      expect(rows[1]).toEqual({ productId: 802, salesDate: "2026-03-09", ordersQuantity: 480, unitsSold: null });
    }, 60_000);

    test("gap day gives null", async () => {
      await analyzeAt(803, "2026-03-05T10:00:00Z", 10);
      await analyzeAt(803, "2026-03-07T10:00:00Z", 30);

      await updateDailySales(app.database.db);

      const rows = await rowsOf(803);
      expect(rows.map((row) => row.unitsSold)).toEqual([null, null]);
    }, 60_000);

    test("rerun gives identical rows", async () => {
      await analyzeAt(804, "2026-03-08T10:00:00Z", 40);
      await analyzeAt(804, "2026-03-09T10:00:00Z", 45);
      await updateDailySales(app.database.db);
      const before = await app.database.db.select().from(dailySales).orderBy(asc(dailySales.productId), asc(dailySales.salesDate));

      const again = await updateDailySales(app.database.db);

      expect(again.rowsWritten).toBe(0);
      expect(again.products).toBe(0);
      const after = await app.database.db.select().from(dailySales).orderBy(asc(dailySales.productId), asc(dailySales.salesDate));
      expect(after).toEqual(before);
    }, 60_000);

    test("later snapshot the same day updates its row", async () => {
      await analyzeAt(805, "2026-03-08T10:00:00Z", 60);
      await analyzeAt(805, "2026-03-09T08:00:00Z", 61);
      await updateDailySales(app.database.db);
      await analyzeAt(805, "2026-03-09T15:00:00Z", 70);

      const run = await updateDailySales(app.database.db);

      expect(run.rowsWritten).toBe(1);
      const rows = await rowsOf(805);
      expect(rows[1]).toEqual({ productId: 805, salesDate: "2026-03-09", ordersQuantity: 70, unitsSold: 10 });
    }, 60_000);
  });
}
