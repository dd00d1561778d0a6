import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { productSnapshots, products, skuSnapshots } from "../../db/schema";
import type { UzumSku } from "./client";
import { isTrackedByActiveAccount, type NewSnapshot, type SnapshotRow } from "./repository";

/** Snapshot columns a banner reading rewrites: the weekly figure, the other signals and the score. */
export type BannerSnapshotFields = Pick<
  NewSnapshot,
  | "weeklyBuyers"
  | "weeklyBuyersSource"
  | "weeklyBuyersText"
  | "weeklyBuyersConfidence"
  | "weeklyBuyersReadAt"
  | "inCarts"
  | "inWishlists"
  | "score"
  | "scoreVersion"
  | "scoreWeeklyBuyers"
  | "scoreWeeklyBasis"
  | "scoreWeeklyDate"
  | "scoreComponents"
>;

/**
 * Writes a reading onto the product's snapshot of `snapshotDate` and marks the product checked,
 * in one statement. Returns the updated row, or undefined when that day has no snapshot.
 */
export async function saveBannerReading(
  db: Database,
  productId: number,
  snapshotDate: string,
  fields: BannerSnapshotFields,
  checkedAt: Date,
): Promise<SnapshotRow | undefined> {
  // A data-modifying CTE runs in the same statement, so both writes commit together in one round trip.
  const markChecked = db.$with("mark_checked").as(
    db
      .update(products)
      .set({ weeklyBuyersCheckedAt: checkedAt, weeklyBuyersRequestedAt: null })
      .where(eq(products.id, productId))
      .returning({ id: products.id }),
  );
  const [row] = await db
    .with(markChecked)
    .update(productSnapshots)
    .set(fields)
    .where(and(eq(productSnapshots.productId, productId), eq(productSnapshots.snapshotDate, snapshotDate)))
    .returning();
  return row;
}

/** Records that the banner was read, with or without a result, and clears any request to read it. */
export async function markBannerChecked(db: Database, productId: number, checkedAt: Date): Promise<void> {
  await db
    .update(products)
    .set({ weeklyBuyersCheckedAt: checkedAt, weeklyBuyersRequestedAt: null })
    .where(eq(products.id, productId));
}

/** Asks the next scrape to read this product first; an earlier request keeps its time and place. */
export async function markBannerRequested(db: Database, productId: number, requestedAt: Date): Promise<void> {
  await db
    .update(products)
    .set({ weeklyBuyersRequestedAt: sql`COALESCE(${products.weeklyBuyersRequestedAt}, ${requestedAt.toISOString()}::timestamptz)` })
    .where(eq(products.id, productId));
}

/**
 * Ids of the products that an active account tracks, in scrape order: those an analysis asked
 * for first (oldest request first), then the least recently checked, never-checked ones first.
 */
export async function scrapeQueue(db: Database): Promise<number[]> {
  const rows = await db
    .select({ id: products.id })
    .from(products)
    .where(isTrackedByActiveAccount(db))
    .orderBy(
      sql`${products.weeklyBuyersRequestedAt} IS NULL`,
      asc(products.weeklyBuyersRequestedAt),
      sql`${products.weeklyBuyersCheckedAt} ASC NULLS FIRST`,
      asc(products.id),
    );
  return rows.map((row) => row.id);
}

/** Loads the product's SKUs as stored on `snapshotDate`, in the shape the price summary takes. */
export async function skusOnDay(db: Database, productId: number, snapshotDate: string): Promise<UzumSku[]> {
  const rows = await db
    .select()
    .from(skuSnapshots)
    .where(and(eq(skuSnapshots.productId, productId), eq(skuSnapshots.snapshotDate, snapshotDate)));

  return rows.map((row) => ({
    id: row.skuId,
    title: null,
    sellPriceSom: row.sellPriceSom,
    fullPriceSom: row.fullPriceSom,
    stockUnits: row.stockUnits,
    stockType: row.stockType === "FBO" || row.stockType === "FBS" ? row.stockType : null,
  }));
}
