import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { asc } from "drizzle-orm";
import { productSnapshots, products, skuSnapshots, skus, stagedProductSnapshots, stagedSkuSnapshots } from "../../src/db/schema";
import { dedupeSnapshots, stagedRowCounts } from "../../src/jobs/snapshot-dedupe";
import { openTestDatabase, testDatabaseKinds } from "../helpers/database";

type StagedRow = typeof stagedProductSnapshots.$inferInsert;

let originCounter = 0;

function staged(capturedAt: string, snapshotDate: string, values: Partial<StagedRow> = {}): StagedRow {
  return { origin: "test", originId: String(++originCounter), productId: 951, snapshotDate, capturedAt: new Date(capturedAt), ...values };
}

for (const kind of testDatabaseKinds()) {
  describe(`snapshot dedupe on ${kind}`, () => {
    let database: Awaited<ReturnType<typeof openTestDatabase>>;

    beforeEach(async () => {
      database = await openTestDatabase(kind);
      await database.db.insert(products).values({ id: 951, title: "Termos" });
      await database.db.insert(skus).values({ id: 9511, productId: 951 });
    }, 120_000);
    afterEach(() => database.close());

    async function seed() {
      await database.db.insert(stagedProductSnapshots).values([
        // Three rows on 10 March in Tashkent; the first one read the banner.
        staged("2026-03-09T19:30:00Z", "2026-03-10", {
          ordersQuantity: 100,
          weeklyBuyers: 120,
          weeklyBuyersSource: "graphql",
          weeklyBuyersText: "120 kishi bu hafta sotib oldi",
        }),
        staged("2026-03-10T06:00:00Z", "2026-03-10", { ordersQuantity: 104, weeklyBuyers: 44_500 }),
        staged("2026-03-10T18:00:00Z", "2026-03-10", { ordersQuantity: 110 }),
        // The only row of 11 March.
        staged("2026-03-11T09:00:00Z", "2026-03-11", { ordersQuantity: 120 }),
        // Earlier than the stored row of 12 March.
        staged("2026-03-12T05:00:00Z", "2026-03-12", { ordersQuantity: 125 }),
      ]);
      await database.db.insert(productSnapshots).values({
        productId: 951,
        snapshotDate: "2026-03-12",
        capturedAt: new Date("2026-03-12T10:00:00Z"),
        ordersQuantity: 130,
        score: 3.2,
        scoreVersion: 1,
      });
      await database.db.insert(stagedSkuSnapshots).values([
        { origin: "test", originId: "s1", skuId: 9511, productId: 951, snapshotDate: "2026-03-10", capturedAt: new Date("2026-03-10T06:00:00Z"), stockUnits: 9 },
        { origin: "test", originId: "s2", skuId: 9511, productId: 951, snapshotDate: "2026-03-10", capturedAt: new Date("2026-03-10T18:00:00Z"), stockUnits: 7 },
      ]);
    }

    const stored = () => database.db.select().from(productSnapshots).orderBy(asc(productSnapshots.snapshotDate));

    test("dry run changes nothing", async () => {
      await seed();

      const counts = await dedupeSnapshots(database.db, { dryRun: true });

      expect(counts).toEqual({
        productDays: 3,
        stagedRows: 5,
        duplicatesDropped: 3,
        snapshotsWritten: 2,
        bannersCarried: 1,
        skuDays: 1,
        skuStagedRows: 2,
        skuDuplicatesDropped: 1,
        skuSnapshotsWritten: 1,
        orphanRows: 0,
      });
      expect(await stagedRowCounts(database.db)).toEqual({ productRows: 5, skuRows: 2 });
      expect(await stored()).toHaveLength(1);
    }, 60_000);

    test("keeps each day's last row", async () => {
      await seed();

      await dedupeSnapshots(database.db, { dryRun: false });

      const [tenth, eleventh, twelfth] = await stored();
      expect(tenth.snapshotDate).toBe("2026-03-10");
      expect(tenth.ordersQuantity).toBe(110);
      expect(tenth.capturedAt).toEqual(new Date("2026-03-10T18:00:00Z"));
      expect(tenth.weeklyBuyers).toBe(120);
      expect(tenth.weeklyBuyersSource).toBe("graphql");
      expect(tenth.weeklyBuyersText).toBe("120 kishi bu hafta sotib oldi");
      expect(tenth.scoreVersion).toBeNull();
      expect(eleventh.ordersQuantity).toBe(120);
      expect(twelfth.ordersQuantity).toBe(130);
      expect(twelfth.scoreVersion).toBe(1);
      expect(await stagedRowCounts(database.db)).toEqual({ productRows: 0, skuRows: 0 });

      const skuRows = await database.db.select().from(skuSnapshots);
      expect(skuRows).toHaveLength(1);
      expect(skuRows[0].stockUnits).toBe(7);
    }, 60_000);

    test("second run changes nothing", async () => {
      await seed();
      await dedupeSnapshots(database.db, { dryRun: false });
      const before = await stored();

      const counts = await dedupeSnapshots(database.db, { dryRun: false });

      expect(counts.stagedRows).toBe(0);
      expect(await stored()).toEqual(before);
    }, 60_000);

    test("leaves rows of unknown products staged", async () => {
      await database.db.insert(stagedProductSnapshots).values(staged("2026-03-10T06:00:00Z", "2026-03-10", { productId: 999 }));

      const counts = await dedupeSnapshots(database.db, { dryRun: false });

      expect(counts.orphanRows).toBe(1);
      expect(await stagedRowCounts(database.db)).toEqual({ productRows: 1, skuRows: 0 });
    }, 60_000);
  });
}
