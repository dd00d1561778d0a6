import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { productSnapshots, products, skuSnapshots, skus, stagedProductSnapshots, stagedSkuSnapshots } from "../db/schema";
import type { SnapshotRow } from "../modules/uzum/repository";
import { isBannerSource } from "../modules/uzum/service";
import type { JobCounts } from "./job-runs";

/** Products (or SKUs) whose staged rows are merged in one transaction. */
const keysPerBatch = 100;
/** Rows per INSERT or DELETE, well under PostgreSQL's 65,535 bind parameters. */
const rowsPerStatement = 1_000;

type StagedSnapshot = typeof stagedProductSnapshots.$inferSelect;
type StagedSkuSnapshot = typeof stagedSkuSnapshots.$inferSelect;

export interface DedupeCounts extends JobCounts {
  /** Product-days with staged rows. */
  productDays: number;
  stagedRows: number;
  /** Rows dropped because a later row of the same day was kept. */
  duplicatesDropped: number;
  /** Days whose kept row was written into product_snapshots. */
  snapshotsWritten: number;
  /** Days whose kept row lacked a banner reading and took one from another row of that day. */
  bannersCarried: number;
  skuDays: number;
  skuStagedRows: number;
  skuDuplicatesDropped: number;
  skuSnapshotsWritten: number;
  /** Staged rows left in place because their product or SKU is not stored. */
  orphanRows: number;
}

export function emptyDedupeCounts(): DedupeCounts {
  return {
    productDays: 0, stagedRows: 0, duplicatesDropped: 0, snapshotsWritten: 0, bannersCarried: 0,
    skuDays: 0, skuStagedRows: 0, skuDuplicatesDropped: 0, skuSnapshotsWritten: 0, orphanRows: 0,
  };
}

/**
 * Merges staged snapshots into `product_snapshots` and `sku_snapshots`, one row per product
 * (or SKU) per Tashkent day.
 *
 * Our own tables cannot hold two rows for one day (a unique index), so history that has
 * several, such as an import from the previous system, is staged first. For each day the
 * last captured row wins among the staged rows and the row already stored. When the winner
 * has no banner reading but another row of that day has one, the newest banner reading is
 * carried over. The other staged rows are deleted. A day never loses its only row: a day with one
 * staged row is moved, not dropped. Merged rows get a null score version, so snapshot
 * cleanup scores them with the current formula.
 *
 * Each batch of products runs in one transaction. With `dryRun` nothing is written and the
 * counts report what a real run would do.
 */
export async function dedupeSnapshots(db: Database, options: { dryRun: boolean; signal?: AbortSignal }): Promise<DedupeCounts> {
  const counts = emptyDedupeCounts();

  let cursor = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const productIds = await nextStagedKeys(db, stagedProductSnapshots.productId, cursor);
    if (productIds.length === 0) break;
    cursor = productIds.at(-1)!;
    await db.transaction(async (tx) => mergeProductBatch(tx as unknown as Database, productIds, options.dryRun, counts));
  }

  cursor = 0;
  for (;;) {
    if (options.signal?.aborted) break;
    const skuIds = await nextStagedKeys(db, stagedSkuSnapshots.skuId, cursor);
    if (skuIds.length === 0) break;
    cursor = skuIds.at(-1)!;
    await db.transaction(async (tx) => mergeSkuBatch(tx as unknown as Database, skuIds, options.dryRun, counts));
  }
  return counts;
}

async function nextStagedKeys(db: Database, column: typeof stagedProductSnapshots.productId | typeof stagedSkuSnapshots.skuId, after: number): Promise<number[]> {
  const rows = await db
    .selectDistinct({ key: column })
    .from(column.table)
    .where(gt(column, after))
    .orderBy(asc(column))
    .limit(keysPerBatch);
  return rows.map((row) => row.key);
}

async function mergeProductBatch(db: Database, productIds: number[], dryRun: boolean, counts: DedupeCounts): Promise<void> {
  const known = new Set(
    (await db.select({ id: products.id }).from(products).where(inArray(products.id, productIds))).map((row) => row.id),
  );
  const staged = await db
    .select()
    .from(stagedProductSnapshots)
    .where(inArray(stagedProductSnapshots.productId, productIds))
    .orderBy(stagedProductSnapshots.productId, stagedProductSnapshots.snapshotDate);
  const stored = await db
    .select()
    .from(productSnapshots)
    .where(
      and(
        inArray(productSnapshots.productId, [...known]),
        inArray(productSnapshots.snapshotDate, [...new Set(staged.map((row) => row.snapshotDate))]),
      ),
    );
  const storedByDay = new Map(stored.map((row) => [`${row.productId}|${row.snapshotDate}`, row]));

  const inserts: Array<typeof productSnapshots.$inferInsert> = [];
  const merged: number[] = [];
  for (const [key, group] of Map.groupBy(staged, (row) => `${row.productId}|${row.snapshotDate}`)) {
    if (!known.has(group[0].productId)) {
      counts.orphanRows += group.length;
      continue;
    }
    counts.productDays++;
    counts.stagedRows += group.length;
    const existing = storedByDay.get(key);
    const decision = decideDay(group, existing);
    counts.duplicatesDropped += group.length + (existing ? 1 : 0) - 1;
    if (decision.write) counts.snapshotsWritten++;
    if (decision.bannerCarried) counts.bannersCarried++;
    merged.push(...group.map((row) => row.id));
    if (dryRun) continue;

    // Updating a stored row is rare (a day both imported and analysed here), so it goes one by one.
    if (decision.write && existing) {
      await db.update(productSnapshots).set(decision.write).where(eq(productSnapshots.id, existing.id));
    } else if (decision.write) {
      inserts.push({ productId: group[0].productId, snapshotDate: group[0].snapshotDate, ...decision.write });
    }
  }
  if (dryRun) return;

  for (let start = 0; start < inserts.length; start += rowsPerStatement) {
    await db.insert(productSnapshots).values(inserts.slice(start, start + rowsPerStatement));
  }
  for (let start = 0; start < merged.length; start += rowsPerStatement) {
    await db.delete(stagedProductSnapshots).where(inArray(stagedProductSnapshots.id, merged.slice(start, start + rowsPerStatement)));
  }
}

type SnapshotWrite = Partial<Omit<typeof productSnapshots.$inferInsert, "id" | "productId" | "snapshotDate">> & { capturedAt: Date };

/** Picks the day's last row and returns what to write into product_snapshots, if anything. */
function decideDay(group: StagedSnapshot[], existing: SnapshotRow | undefined): { write: SnapshotWrite | undefined; bannerCarried: boolean } {
  const latestStaged = group.reduce((best, row) => (isLater(row, best) ? row : best));
  const keepStored = existing !== undefined && existing.capturedAt.getTime() >= latestStaged.capturedAt.getTime();
  const kept: BannerFields = keepStored ? existing : latestStaged;

  let banner: BannerFields | undefined;
  if (!isBannerSource(kept.weeklyBuyersSource)) {
    const others: BannerFields[] = [...group, ...(existing ? [existing] : [])].filter((row) => isBannerSource(row.weeklyBuyersSource));
    banner = others.reduce<BannerFields | undefined>((best, row) => (!best || readAt(row) > readAt(best) ? row : best), undefined);
  }
  const bannerFields = banner ? bannerOf(banner) : {};

  if (keepStored) {
    return { write: banner ? { capturedAt: existing.capturedAt, ...bannerFields, scoreVersion: null } : undefined, bannerCarried: !!banner };
  }

  const write: SnapshotWrite = {
    capturedAt: latestStaged.capturedAt,
    ordersQuantity: latestStaged.ordersQuantity,
    stockUnits: latestStaged.stockUnits,
    sellPriceSom: latestStaged.sellPriceSom,
    fullPriceSom: latestStaged.fullPriceSom,
    rating: latestStaged.rating,
    reviewsCount: latestStaged.reviewsCount,
    ...bannerOf(latestStaged),
    ...bannerFields,
    score: null,
    scoreVersion: null,
    scoreWeeklyBuyers: null,
    scoreWeeklyBasis: null,
    scoreWeeklyDate: null,
    scoreComponents: null,
  };
  return { write, bannerCarried: !!banner };
}

type BannerFields = Pick<StagedSnapshot, "weeklyBuyers" | "weeklyBuyersSource" | "weeklyBuyersText" | "weeklyBuyersReadAt" | "capturedAt"> & {
  weeklyBuyersConfidence?: number | null;
};

function bannerOf(row: BannerFields) {
  return {
    weeklyBuyers: row.weeklyBuyers,
    weeklyBuyersSource: row.weeklyBuyersSource,
    weeklyBuyersText: row.weeklyBuyersText,
    weeklyBuyersReadAt: row.weeklyBuyersReadAt,
    weeklyBuyersConfidence: row.weeklyBuyersConfidence ?? null,
  };
}

function readAt(row: BannerFields): number {
  return (row.weeklyBuyersReadAt ?? row.capturedAt).getTime();
}

function isLater(a: { capturedAt: Date; id: number }, b: { capturedAt: Date; id: number }): boolean {
  const difference = a.capturedAt.getTime() - b.capturedAt.getTime();
  return difference > 0 || (difference === 0 && a.id > b.id);
}

async function mergeSkuBatch(db: Database, skuIds: number[], dryRun: boolean, counts: DedupeCounts): Promise<void> {
  const known = new Set((await db.select({ id: skus.id }).from(skus).where(inArray(skus.id, skuIds))).map((row) => row.id));
  const staged = await db.select().from(stagedSkuSnapshots).where(inArray(stagedSkuSnapshots.skuId, skuIds));
  const stored = await db
    .select()
    .from(skuSnapshots)
    .where(
      and(
        inArray(skuSnapshots.skuId, [...known]),
        inArray(skuSnapshots.snapshotDate, [...new Set(staged.map((row) => row.snapshotDate))]),
      ),
    );
  const storedByDay = new Map(stored.map((row) => [`${row.skuId}|${row.snapshotDate}`, row]));

  const upserts: StagedSkuSnapshot[] = [];
  const merged: number[] = [];
  for (const [key, group] of Map.groupBy(staged, (row) => `${row.skuId}|${row.snapshotDate}`)) {
    if (!known.has(group[0].skuId)) {
      counts.orphanRows += group.length;
      continue;
    }
    counts.skuDays++;
    counts.skuStagedRows += group.length;
    const existing = storedByDay.get(key);
    const latest = group.reduce((best, row) => (isLater(row, best) ? row : best));
    const replace = !existing || latest.capturedAt.getTime() > existing.capturedAt.getTime();
    counts.skuDuplicatesDropped += group.length + (existing ? 1 : 0) - 1;
    if (replace) {
      counts.skuSnapshotsWritten++;
      upserts.push(latest);
    }
    merged.push(...group.map((row) => row.id));
  }
  if (dryRun) return;

  for (let start = 0; start < upserts.length; start += rowsPerStatement) {
    await upsertSkuSnapshots(db, upserts.slice(start, start + rowsPerStatement));
  }
  for (let start = 0; start < merged.length; start += rowsPerStatement) {
    await db.delete(stagedSkuSnapshots).where(inArray(stagedSkuSnapshots.id, merged.slice(start, start + rowsPerStatement)));
  }
}

async function upsertSkuSnapshots(db: Database, rows: StagedSkuSnapshot[]): Promise<void> {
  const values = rows.map((row) => ({
    skuId: row.skuId,
    productId: row.productId,
    snapshotDate: row.snapshotDate,
    capturedAt: row.capturedAt,
    sellPriceSom: row.sellPriceSom,
    fullPriceSom: row.fullPriceSom,
    stockUnits: row.stockUnits,
    stockType: row.stockType,
  }));
  await db
    .insert(skuSnapshots)
    .values(values)
    .onConflictDoUpdate({
      target: [skuSnapshots.skuId, skuSnapshots.snapshotDate],
      set: {
        capturedAt: sql`excluded.captured_at`,
        sellPriceSom: sql`excluded.sell_price_som`,
        fullPriceSom: sql`excluded.full_price_som`,
        stockUnits: sql`excluded.stock_units`,
        stockType: sql`excluded.stock_type`,
      },
    });
}

/** Counts staged rows, for a summary or a check that dedupe emptied the staging tables. */
export async function stagedRowCounts(db: Database): Promise<{ productRows: number; skuRows: number }> {
  const [product] = await db.select({ rows: sql<number>`count(*)::int` }).from(stagedProductSnapshots);
  const [sku] = await db.select({ rows: sql<number>`count(*)::int` }).from(stagedSkuSnapshots);
  return { productRows: Number(product.rows), skuRows: Number(sku.rows) };
}
