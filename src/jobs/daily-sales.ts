import { and, gte, inArray, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { dailySales, productSnapshots } from "../db/schema";
import type { Logger } from "../lib/logger";
import { addDays } from "../lib/time";
import { withDailySales } from "../modules/uzum/tracking";
import type { JobCounts } from "./job-runs";
import type { JobDefinition } from "./scheduler";

/** Products whose snapshots are read and whose rows are written in one go. */
const productsPerBatch = 200;
/** Rows per INSERT, well under PostgreSQL's 65,535 bind parameters at 4 per row. */
const rowsPerInsert = 2_000;

interface DailySalesCounts extends JobCounts {
  products: number;
  rowsWritten: number;
  rowsUnchanged: number;
}

export function dailySalesJob(deps: { db: Database; logger: Logger }): JobDefinition {
  return {
    name: "daily-sales",
    description: "Write units sold per product per Tashkent day into daily_sales",
    run: ({ signal }) => updateDailySales(deps.db, { signal }),
  };
}

/**
 * Brings `daily_sales` in line with the snapshots. A product is recomputed from the first day
 * whose row is missing or has a different total, since that day's change also moves the
 * next day's figure. Rows are only written when their values change, so running it again
 * gives identical rows.
 */
export async function updateDailySales(db: Database, options: { signal?: AbortSignal } = {}): Promise<DailySalesCounts> {
  const stale = await staleProducts(db);
  const counts: DailySalesCounts = { products: stale.length, rowsWritten: 0, rowsUnchanged: 0 };

  for (let start = 0; start < stale.length; start += productsPerBatch) {
    if (options.signal?.aborted) break;
    const batch = stale.slice(start, start + productsPerBatch);
    const written = await recompute(db, batch);
    counts.rowsWritten += written.changed;
    counts.rowsUnchanged += written.total - written.changed;
  }
  return counts;
}

/** Finds each product with a snapshot day whose daily_sales row is missing or out of date, and the first such day. */
async function staleProducts(db: Database): Promise<Array<{ productId: number; fromDate: string }>> {
  const result = await db.execute(sql`
    SELECT s.product_id, min(s.snapshot_date)::text AS from_date
    FROM ${productSnapshots} s
    WHERE NOT EXISTS (
      SELECT 1 FROM ${dailySales} d
      WHERE d.product_id = s.product_id
        AND d.sales_date = s.snapshot_date
        AND d.orders_quantity IS NOT DISTINCT FROM s.orders_quantity
    )
    GROUP BY s.product_id
    ORDER BY s.product_id`);
  return rowsOf<{ product_id: string | number; from_date: string }>(result).map((row) => ({ productId: Number(row.product_id), fromDate: row.from_date }));
}

async function recompute(db: Database, batch: Array<{ productId: number; fromDate: string }>): Promise<{ total: number; changed: number }> {
  const earliest = batch.reduce((min, item) => (item.fromDate < min ? item.fromDate : min), batch[0].fromDate);
  // One day before the earliest, so its first day has a previous day to compare with.
  const snapshots = await db
    .select({
      productId: productSnapshots.productId,
      snapshotDate: productSnapshots.snapshotDate,
      ordersQuantity: productSnapshots.ordersQuantity,
    })
    .from(productSnapshots)
    .where(
      and(
        inArray(productSnapshots.productId, batch.map((item) => item.productId)),
        gte(productSnapshots.snapshotDate, addDays(earliest, -1)),
      ),
    )
    .orderBy(productSnapshots.productId, productSnapshots.snapshotDate);

  const byProduct = Map.groupBy(snapshots, (row) => row.productId);
  const values: Array<typeof dailySales.$inferInsert> = [];
  for (const { productId, fromDate } of batch) {
    for (const point of withDailySales(byProduct.get(productId) ?? [])) {
      if (point.snapshot.snapshotDate < fromDate) continue;
      values.push({
        productId,
        salesDate: point.snapshot.snapshotDate,
        ordersQuantity: point.snapshot.ordersQuantity,
        unitsSold: point.dailySales,
      });
    }
  }

  let changed = 0;
  for (let start = 0; start < values.length; start += rowsPerInsert) {
    const written = await db
      .insert(dailySales)
      .values(values.slice(start, start + rowsPerInsert))
      .onConflictDoUpdate({
        target: [dailySales.productId, dailySales.salesDate],
        set: { ordersQuantity: sql`excluded.orders_quantity`, unitsSold: sql`excluded.units_sold` },
        setWhere: sql`(${dailySales.ordersQuantity}, ${dailySales.unitsSold}) IS DISTINCT FROM (excluded.orders_quantity, excluded.units_sold)`,
      })
      .returning({ productId: dailySales.productId });
    changed += written.length;
  }
  return { total: values.length, changed };
}

/** The rows of `db.execute`, which postgres.js returns as an array and PGlite inside `rows`. */
export function rowsOf<Row>(result: unknown): Row[] {
  return Array.isArray(result) ? (result as Row[]) : (result as { rows: Row[] }).rows;
}
