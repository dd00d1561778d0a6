import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { asc, eq } from "drizzle-orm";
import { productSnapshots, products } from "../../src/db/schema";
import { cleanupSnapshots } from "../../src/jobs/snapshot-cleanup";
import { computeScore } from "../../src/modules/uzum/score";
import { openTestDatabase, testDatabaseKinds } from "../helpers/database";

type NewSnapshot = typeof productSnapshots.$inferInsert;

for (const kind of testDatabaseKinds()) {
  describe(`snapshot cleanup on ${kind}`, () => {
    let database: Awaited<ReturnType<typeof openTestDatabase>>;

    beforeEach(async () => {
      database = await openTestDatabase(kind);
      await database.db.insert(products).values({ id: 901, title: "Choynak" });
    }, 120_000);
    afterEach(() => database.close());

    function snapshot(date: string, values: Partial<NewSnapshot>): NewSnapshot {
      const scored = computeScore({ weeklyBuyers: values.scoreWeeklyBuyers ?? 0, ordersQuantity: 44_512, rating: 4.5, mainStockType: "FBO" });
      return {
        productId: 901,
        snapshotDate: date,
        capturedAt: new Date(`${date}T07:00:00Z`),
        ordersQuantity: 44_512,
        rating: 4.5,
        stockType: "FBO",
        score: scored.score,
        scoreVersion: 1,
        scoreWeeklyBuyers: values.scoreWeeklyBuyers ?? 0,
        scoreWeeklyBasis: "current",
        scoreWeeklyDate: date,
        scoreComponents: scored.components,
        ...values,
      };
    }

    async function seed() {
      await database.db.insert(productSnapshots).values([
        // Rounded total orders stored as weekly, with no source, as older data did.
        snapshot("2026-03-01", { weeklyBuyers: 44_500, weeklyBuyersSource: null, scoreWeeklyBuyers: 44_500 }),
        // Borrowed the figure above because its own was unknown.
        snapshot("2026-03-02", {
          weeklyBuyers: null,
          scoreWeeklyBuyers: 44_500,
          scoreWeeklyBasis: "last_known",
          scoreWeeklyDate: "2026-03-01",
        }),
        snapshot("2026-03-03", { weeklyBuyers: 6_000, weeklyBuyersSource: "graphql", scoreWeeklyBuyers: 6_000 }),
        snapshot("2026-03-04", { weeklyBuyers: 5_400, weeklyBuyersSource: "orders_delta", scoreWeeklyBuyers: 5_400 }),
        snapshot("2026-03-05", { weeklyBuyers: 300, weeklyBuyersSource: "orders_delta", scoreWeeklyBuyers: 300 }),
      ]);
    }

    const rows = () => database.db.select().from(productSnapshots).orderBy(asc(productSnapshots.snapshotDate));

    test("dry run changes nothing", async () => {
      await seed();
      const before = await rows();

      const counts = await cleanupSnapshots(database.db, { dryRun: true });

      expect(counts).toEqual({ products: 1, weeklyCleared: 2, scoresRecomputed: 3 });
      expect(await rows()).toEqual(before);
    }, 60_000);

    test("clears estimates above the cap", async () => {
      await seed();

      const counts = await cleanupSnapshots(database.db, { dryRun: false });

      expect(counts).toEqual({ products: 1, weeklyCleared: 2, scoresRecomputed: 3 });
      const [first, second, third, fourth, fifth] = await rows();
      expect(first.weeklyBuyers).toBeNull();
      expect(first.weeklyBuyersSource).toBeNull();
      expect(first.scoreWeeklyBasis).toBe("assumed_zero");
      expect(first.score).toBe(computeScore({ weeklyBuyers: 0, ordersQuantity: 44_512, rating: 4.5, mainStockType: "FBO" }).score);
      expect(second.scoreWeeklyBuyers).toBe(0);
      expect(second.scoreWeeklyBasis).toBe("assumed_zero");
      expect(third.weeklyBuyers).toBe(6_000);
      expect(fourth.weeklyBuyers).toBeNull();
      // The banner reading of the day before is what the score now borrows.
      expect(fourth.scoreWeeklyBuyers).toBe(6_000);
      expect(fourth.scoreWeeklyBasis).toBe("last_known");
      expect(fifth.weeklyBuyers).toBe(300);
    }, 60_000);

    test("second run changes nothing", async () => {
      await seed();
      await cleanupSnapshots(database.db, { dryRun: false });
      const before = await rows();

      const counts = await cleanupSnapshots(database.db, { dryRun: false });

      expect(counts.weeklyCleared).toBe(0);
      expect(counts.scoresRecomputed).toBe(0);
      expect(await rows()).toEqual(before);
    }, 60_000);

    test("scores rows never scored here", async () => {
      await database.db
        .insert(productSnapshots)
        .values(snapshot("2026-03-06", { weeklyBuyers: 120, score: null, scoreVersion: null, scoreComponents: null }));

      await cleanupSnapshots(database.db, { dryRun: false });

      const [row] = await database.db.select().from(productSnapshots).where(eq(productSnapshots.productId, 901));
      expect(row.scoreVersion).toBe(1);
      expect(row.scoreWeeklyBuyers).toBe(120);
      // Without SKU snapshots or a stored supply term, the stock type of the row decides.
      expect(row.score).toBe(computeScore({ weeklyBuyers: 120, ordersQuantity: 44_512, rating: 4.5, mainStockType: "FBO" }).score);
    }, 60_000);
  });
}
