import { and, asc, eq, gt, gte, inArray, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { productSnapshots, skuSnapshots } from "../db/schema";
import type { StockType, UzumSku } from "../modules/uzum/client";
import type { SnapshotRow } from "../modules/uzum/repository";
import { summarizePrices } from "../modules/uzum/score";
import { isBannerSource, scoreDay, weeklyLookBackDays } from "../modules/uzum/service";
import { weeklyEstimateCapPerWeek } from "../modules/uzum/weekly-estimate";
import { addDays } from "../lib/time";
import type { JobCounts } from "./job-runs";

/** Products whose snapshots are cleaned in one transaction. */
const productsPerBatch = 100;

export interface CleanupCounts extends JobCounts {
  /** Products with at least one snapshot to look at. */
  products: number;
  /** Estimated or unsourced weekly figures above the cap, set to null. */
  weeklyCleared: number;
  /** Snapshots whose score was computed again. */
  scoresRecomputed: number;
}

/**
 * Clears impossible weekly figures and scores again the snapshots that depended on them.
 *
 * A weekly figure from the orders-delta estimate, or with no recorded source, above
 * 5,000 a week is noise (older data stored rounded total orders as weekly), so it becomes
 * null. Banner readings are kept whatever their size. A snapshot is scored again with the
 * current formula in three cases: its weekly figure was cleared, its score borrowed a cleared
 * figure from an earlier day, or this service never scored it. Merged imports are in the last
 * case, with a null score version. Each batch of products runs in one transaction; with
 * `dryRun` nothing is written and the counts report what a real run would change.
 */
export async function cleanupSnapshots(db: Database, options: { dryRun: boolean; signal?: AbortSignal }): Promise<CleanupCounts> {
  const counts: CleanupCounts = { products: 0, weeklyCleared: 0, scoresRecomputed: 0 };

  let cursor = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const batch = await nextCandidates(db, cursor);
    if (batch.length === 0) break;
    cursor = batch.at(-1)!.productId;
    counts.products += batch.length;
    await db.transaction(async (tx) => cleanBatch(tx as unknown as Database, batch, options.dryRun, counts));
  }
  return counts;
}

function suspectWeekly() {
  return and(
    gt(productSnapshots.weeklyBuyers, weeklyEstimateCapPerWeek),
    or(sql`${productSnapshots.weeklyBuyersSource} IS NULL`, eq(productSnapshots.weeklyBuyersSource, "orders_delta")),
  );
}

/** Finds the next products with a snapshot that may need cleaning, each with the first such day. */
async function nextCandidates(db: Database, after: number): Promise<Array<{ productId: number; fromDate: string }>> {
  const rows = await db
    .select({ productId: productSnapshots.productId, fromDate: sql<string>`min(${productSnapshots.snapshotDate})::text` })
    .from(productSnapshots)
    .where(
      and(
        gt(productSnapshots.productId, after),
        or(
          suspectWeekly(),
          sql`${productSnapshots.scoreVersion} IS NULL`,
          and(eq(productSnapshots.scoreWeeklyBasis, "last_known"), gt(productSnapshots.scoreWeeklyBuyers, weeklyEstimateCapPerWeek)),
        ),
      ),
    )
    .groupBy(productSnapshots.productId)
    .orderBy(asc(productSnapshots.productId))
    .limit(productsPerBatch);
  return rows.map((row) => ({ productId: Number(row.productId), fromDate: row.fromDate }));
}

async function cleanBatch(db: Database, batch: Array<{ productId: number; fromDate: string }>, dryRun: boolean, counts: CleanupCounts): Promise<void> {
  const earliest = batch.reduce((min, item) => (item.fromDate < min ? item.fromDate : min), batch[0].fromDate);
  // The score may borrow a weekly figure from up to 14 days back, so read that far before the first candidate.
  const since = addDays(earliest, -weeklyLookBackDays);
  const productIds = batch.map((item) => item.productId);
  const rows = await db
    .select()
    .from(productSnapshots)
    .where(and(inArray(productSnapshots.productId, productIds), gte(productSnapshots.snapshotDate, since)))
    .orderBy(productSnapshots.productId, productSnapshots.snapshotDate);
  const stockTypes = await mainStockTypesByDay(db, productIds, since);

  const updates: Array<{ id: number; clearWeekly: boolean; score: ScoreFields }> = [];
  for (const [productId, history] of Map.groupBy(rows, (row) => row.productId)) {
    const cleaned: SnapshotRow[] = [];
    for (const row of history) {
      const update = cleanRow(row, cleaned, stockTypes.get(`${productId}|${row.snapshotDate}`));
      cleaned.unshift(update ? { ...row, ...(update.clearWeekly ? clearedWeekly : {}), ...update.score } : row);
      if (!update) continue;

      if (update.clearWeekly) counts.weeklyCleared++;
      counts.scoresRecomputed++;
      updates.push({ id: row.id, ...update });
    }
  }
  if (!dryRun) await applyUpdates(db, updates);
}

/** Writes a batch's changes in one statement; the rows travel as one jsonb parameter. */
async function applyUpdates(db: Database, updates: Array<{ id: number; clearWeekly: boolean; score: ScoreFields }>): Promise<void> {
  if (updates.length === 0) return;
  const payload = updates.map((update) => ({ id: update.id, clear_weekly: update.clearWeekly, ...update.score }));
  await db.execute(sql`
    UPDATE ${productSnapshots} s SET
      weekly_buyers = CASE WHEN u.clear_weekly THEN NULL ELSE s.weekly_buyers END,
      weekly_buyers_source = CASE WHEN u.clear_weekly THEN NULL ELSE s.weekly_buyers_source END,
      weekly_buyers_text = CASE WHEN u.clear_weekly THEN NULL ELSE s.weekly_buyers_text END,
      weekly_buyers_confidence = CASE WHEN u.clear_weekly THEN NULL ELSE s.weekly_buyers_confidence END,
      weekly_buyers_read_at = CASE WHEN u.clear_weekly THEN NULL ELSE s.weekly_buyers_read_at END,
      score = u."score",
      score_version = u."scoreVersion",
      score_weekly_buyers = u."scoreWeeklyBuyers",
      score_weekly_basis = u."scoreWeeklyBasis",
      score_weekly_date = u."scoreWeeklyDate"::date,
      score_components = u."scoreComponents"
    FROM jsonb_to_recordset(${JSON.stringify(payload)}::jsonb) AS u(
      id bigint, clear_weekly boolean, "score" double precision, "scoreVersion" smallint, "scoreWeeklyBuyers" integer,
      "scoreWeeklyBasis" text, "scoreWeeklyDate" text, "scoreComponents" jsonb)
    WHERE s.id = u.id`);
}

const clearedWeekly = {
  weeklyBuyers: null,
  weeklyBuyersSource: null,
  weeklyBuyersText: null,
  weeklyBuyersConfidence: null,
  weeklyBuyersReadAt: null,
};

type ScoreFields = Pick<
  SnapshotRow,
  "score" | "scoreVersion" | "scoreWeeklyBuyers" | "scoreWeeklyBasis" | "scoreWeeklyDate" | "scoreComponents"
>;

/**
 * Computes the changes one snapshot needs, given the product's earlier snapshots already
 * cleaned (newest first). Returns undefined when it needs none.
 */
function cleanRow(
  row: SnapshotRow,
  earlier: SnapshotRow[],
  skuStockType: StockType | null | undefined,
): { clearWeekly: boolean; score: ScoreFields } | undefined {
  const clearWeekly = row.weeklyBuyers !== null && row.weeklyBuyers > weeklyEstimateCapPerWeek && !isBannerSource(row.weeklyBuyersSource);
  const borrowedCleared =
    row.scoreWeeklyBasis === "last_known" &&
    row.scoreWeeklyBuyers !== null &&
    row.scoreWeeklyBuyers > weeklyEstimateCapPerWeek &&
    !earlier.some((day) => day.snapshotDate === row.scoreWeeklyDate && day.weeklyBuyers === row.scoreWeeklyBuyers);
  if (!clearWeekly && !borrowedCleared && row.scoreVersion !== null) return undefined;

  const figures = {
    weeklyBuyers: clearWeekly ? null : row.weeklyBuyers,
    ordersQuantity: row.ordersQuantity,
    rating: row.rating,
    mainStockType: skuStockType !== undefined ? skuStockType : storedMainStockType(row),
  };
  // The same scoring as a fresh analysis of the day.
  return { clearWeekly, score: scoreDay(figures, earlier, row.snapshotDate) };
}

/** The main stock type behind a stored score (its supply term), else the snapshot's single stock type. */
function storedMainStockType(row: SnapshotRow): StockType | null {
  const supply = row.scoreComponents?.supply;
  if (supply === 0.1) return "FBO";
  if (supply === 0.05) return "FBS";
  return row.stockType === "FBO" || row.stockType === "FBS" ? row.stockType : null;
}

/** The main stock type of each product-day that has SKU snapshots, computed as the score does. */
async function mainStockTypesByDay(db: Database, productIds: number[], since: string): Promise<Map<string, StockType | null>> {
  const rows = await db
    .select()
    .from(skuSnapshots)
    .where(and(inArray(skuSnapshots.productId, productIds), gte(skuSnapshots.snapshotDate, since)));

  const result = new Map<string, StockType | null>();
  for (const [key, daySkus] of Map.groupBy(rows, (row) => `${row.productId}|${row.snapshotDate}`)) {
    const asSkus = daySkus.map((sku): UzumSku => ({
      id: sku.skuId,
      title: null,
      sellPriceSom: sku.sellPriceSom,
      fullPriceSom: sku.fullPriceSom,
      stockUnits: sku.stockUnits,
      stockType: sku.stockType === "FBO" || sku.stockType === "FBS" ? sku.stockType : null,
    }));
    result.set(key, summarizePrices(asSkus).mainStockType);
  }
  return result;
}
