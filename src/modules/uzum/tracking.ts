import { and, count, desc, eq, gte, inArray, isNull } from "drizzle-orm";
import type { Database } from "../../db/client";
import { productSnapshots, trackedProducts } from "../../db/schema";
import { notFound } from "../../lib/errors";
import { addDays, tashkentDate, type Clock } from "../../lib/time";
import { findStoredProduct, findStoredProducts, snapshotsSince, type SnapshotRow, type StoredProduct } from "./repository";
import type { ProductService } from "./service";

/** Days of scores behind the trend in the tracked list. */
export const trendDays = 7;

export interface TrackedItem {
  stored: StoredProduct;
  trackedSince: Date;
  scoreHistory: Array<{ date: string; score: number | null }>;
}

export interface DailyPoint {
  snapshot: SnapshotRow;
  /** Orders of this day's last snapshot minus the previous day's; null without a previous day or on a drop. */
  dailySales: number | null;
}

export class TrackingService {
  constructor(
    private readonly deps: { db: Database; clock: Clock; products: ProductService },
  ) {}

  /**
   * Starts tracking for the account, analysing the product first if it was never stored.
   * Returns whether a new tracking period began (false when it was already tracked).
   */
  async track(accountId: string, userId: string, productId: number): Promise<{ created: boolean; trackedSince: Date }> {
    if (!(await findStoredProduct(this.deps.db, productId))) await this.deps.products.analyze(productId);

    const [inserted] = await this.deps.db
      .insert(trackedProducts)
      .values({ accountId, productId, trackedSince: this.deps.clock.now(), createdBy: userId })
      .onConflictDoNothing({
        target: [trackedProducts.accountId, trackedProducts.productId],
        where: isNull(trackedProducts.untrackedAt),
      })
      .returning();
    if (inserted) return { created: true, trackedSince: inserted.trackedSince };

    const [existing] = await this.activeRows(accountId, productId);
    return { created: false, trackedSince: existing.trackedSince };
  }

  /** Ends the account's tracking period; 404 NOT_TRACKED when there is none. */
  async untrack(accountId: string, productId: number): Promise<Date> {
    const untrackedAt = this.deps.clock.now();
    const [closed] = await this.deps.db
      .update(trackedProducts)
      .set({ untrackedAt })
      .where(
        and(
          eq(trackedProducts.accountId, accountId),
          eq(trackedProducts.productId, productId),
          isNull(trackedProducts.untrackedAt),
        ),
      )
      .returning();
    if (!closed) throw notFound("NOT_TRACKED", { product_id: productId });
    return untrackedAt;
  }

  /** The account's tracked products, most recently tracked first, with the latest figures and score trend. */
  async list(accountId: string, page: { limit: number; offset: number }): Promise<{ total: number; items: TrackedItem[] }> {
    const active = and(eq(trackedProducts.accountId, accountId), isNull(trackedProducts.untrackedAt));
    const [{ total }] = await this.deps.db.select({ total: count() }).from(trackedProducts).where(active);
    const rows = await this.deps.db
      .select()
      .from(trackedProducts)
      .where(active)
      .orderBy(desc(trackedProducts.trackedSince), trackedProducts.productId)
      .limit(page.limit)
      .offset(page.offset);
    if (rows.length === 0) return { total, items: [] };

    const ids = rows.map((row) => row.productId);
    const stored = new Map((await findStoredProducts(this.deps.db, ids)).map((item) => [item.product.id, item]));
    const since = addDays(tashkentDate(this.deps.clock.now()), -trendDays);
    const history = await this.deps.db
      .select({ productId: productSnapshots.productId, date: productSnapshots.snapshotDate, score: productSnapshots.score })
      .from(productSnapshots)
      .where(and(inArray(productSnapshots.productId, ids), gte(productSnapshots.snapshotDate, since)))
      .orderBy(productSnapshots.snapshotDate);

    const items = rows
      .filter((row) => stored.has(row.productId))
      .map((row) => ({
        stored: stored.get(row.productId)!,
        trackedSince: row.trackedSince,
        scoreHistory: history
          .filter((point) => point.productId === row.productId)
          .map((point) => ({ date: point.date, score: point.score })),
      }));
    return { total, items };
  }

  /** The product's daily series over the last `days` Tashkent days, oldest first. */
  async dailySeries(productId: number, days: number): Promise<DailyPoint[]> {
    if (!(await findStoredProduct(this.deps.db, productId))) {
      throw notFound("PRODUCT_NOT_ANALYZED", { product_id: productId });
    }
    const today = tashkentDate(this.deps.clock.now());
    // One day more than asked, so the first day of the window has a previous day to compare with.
    const rows = await snapshotsSince(this.deps.db, productId, addDays(today, -days));
    return withDailySales(rows).filter((point) => point.snapshot.snapshotDate > addDays(today, -days));
  }

  private activeRows(accountId: string, productId: number) {
    return this.deps.db
      .select()
      .from(trackedProducts)
      .where(
        and(
          eq(trackedProducts.accountId, accountId),
          eq(trackedProducts.productId, productId),
          isNull(trackedProducts.untrackedAt),
        ),
      );
  }
}

/**
 * Daily sales per Tashkent day: the day's last total orders minus the previous calendar day's.
 * A missing previous day or a drop in the total (Uzum corrects totals) gives null.
 */
export function withDailySales<Row extends Pick<SnapshotRow, "snapshotDate" | "ordersQuantity">>(
  rows: Row[],
): Array<{ snapshot: Row; dailySales: number | null }> {
  return rows.map((snapshot, index) => {
    const previous = rows[index - 1];
    let dailySales: number | null = null;
    if (
      previous &&
      previous.snapshotDate === addDays(snapshot.snapshotDate, -1) &&
      previous.ordersQuantity !== null &&
      snapshot.ordersQuantity !== null &&
      snapshot.ordersQuantity >= previous.ordersQuantity
    ) {
      dailySales = snapshot.ordersQuantity - previous.ordersQuantity;
    }
    return { snapshot, dailySales };
  });
}
