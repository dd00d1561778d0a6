import type { Database } from "../../db/client";
import type { WeeklyBasis, WeeklyBuyersSource } from "../../db/schema";
import { notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { addDays, tashkentDate, type Clock } from "../../lib/time";
import type { UzumClient, UzumProduct } from "./client";
import {
  bannerSources,
  findStoredProduct,
  findStoredProducts,
  recentSnapshots,
  saveAnalysis,
  type NewSnapshot,
  type SnapshotRow,
  type StoredProduct,
} from "./repository";
import { computeScore, scoreVersion, summarizePrices } from "./score";
import { estimateWeeklyBuyers } from "./weekly-estimate";

/** How far back the score may borrow a weekly figure when today's is unknown. */
export const weeklyLookBackDays = 14;

export interface ProductServiceDeps {
  db: Database;
  uzum: UzumClient;
  clock: Clock;
  logger: Logger;
}

/** Product analysis: fetch from Uzum, store the day's snapshot, score. */
export class ProductService {
  constructor(private readonly deps: ProductServiceDeps) {}

  /** Fetches the product from Uzum, stores it with today's snapshot and returns the stored result. */
  async analyze(productId: number): Promise<StoredProduct> {
    const startedAt = performance.now();
    const product = await this.deps.uzum.fetchProduct(productId);
    const capturedAt = this.deps.clock.now();
    const today = tashkentDate(capturedAt);

    const history = await recentSnapshots(this.deps.db, productId, today);
    const snapshot = buildSnapshot(product, history, capturedAt, today);
    const stored = await saveAnalysis(this.deps.db, product, snapshot, capturedAt);

    this.deps.logger.info(
      { productId, weeklyBuyers: stored.snapshot.weeklyBuyers, durationMs: Math.round(performance.now() - startedAt) },
      "product.analyzed",
    );
    return stored;
  }

  /** The stored analysis; 404 PRODUCT_NOT_ANALYZED when the product was never analysed. */
  async getStored(productId: number): Promise<StoredProduct> {
    const stored = await findStoredProduct(this.deps.db, productId);
    if (!stored) throw notFound("PRODUCT_NOT_ANALYZED", { product_id: productId });
    return stored;
  }

  /** Stored analyses for many ids in one query, keyed by id; unknown ids are absent. */
  async getStoredMany(productIds: number[]): Promise<Map<number, StoredProduct>> {
    const rows = await findStoredProducts(this.deps.db, [...new Set(productIds)]);
    return new Map(rows.map((row) => [row.product.id, row]));
  }
}

/**
 * Builds the day's snapshot from a fresh Uzum answer and the product's earlier snapshots
 * (newest first, possibly including today's row).
 */
export function buildSnapshot(product: UzumProduct, history: SnapshotRow[], capturedAt: Date, today: string): NewSnapshot {
  const prices = summarizePrices(product.skus);
  const todayRow = history.find((row) => row.snapshotDate === today);
  const earlier = history.filter((row) => row.snapshotDate < today);

  const weekly = chooseWeeklyBuyers(product, todayRow, earlier, capturedAt);
  const scoreWeekly = chooseScoreWeekly(weekly.weeklyBuyers, earlier, today);
  const breakdown = computeScore({
    weeklyBuyers: scoreWeekly.value,
    ordersQuantity: product.ordersQuantity ?? 0,
    rating: product.rating ?? 0,
    mainStockType: prices.mainStockType,
  });

  return {
    productId: product.id,
    snapshotDate: today,
    capturedAt,
    ordersQuantity: product.ordersQuantity,
    stockUnits: product.stockUnits,
    sellPriceSom: prices.sellPriceSom,
    fullPriceSom: prices.fullPriceSom,
    discountPercent: prices.discountPercent,
    stockType: prices.stockType,
    rating: product.rating,
    reviewsCount: product.reviewsCount,
    ...weekly,
    inCarts: todayRow?.inCarts ?? null,
    inWishlists: todayRow?.inWishlists ?? null,
    score: breakdown.score,
    scoreVersion,
    scoreWeeklyBuyers: scoreWeekly.value,
    scoreWeeklyBasis: scoreWeekly.basis,
    scoreWeeklyDate: scoreWeekly.date,
    scoreComponents: breakdown.components,
  };
}

type WeeklyFields = Pick<
  NewSnapshot,
  "weeklyBuyers" | "weeklyBuyersSource" | "weeklyBuyersText" | "weeklyBuyersConfidence" | "weeklyBuyersReadAt"
>;

/** A banner read today wins; otherwise the orders-delta estimate, which may be null. */
function chooseWeeklyBuyers(product: UzumProduct, todayRow: SnapshotRow | undefined, earlier: SnapshotRow[], capturedAt: Date): WeeklyFields {
  if (todayRow && isBannerSource(todayRow.weeklyBuyersSource)) {
    return {
      weeklyBuyers: todayRow.weeklyBuyers,
      weeklyBuyersSource: todayRow.weeklyBuyersSource,
      weeklyBuyersText: todayRow.weeklyBuyersText,
      weeklyBuyersConfidence: todayRow.weeklyBuyersConfidence,
      weeklyBuyersReadAt: todayRow.weeklyBuyersReadAt,
    };
  }

  const estimate = estimateWeeklyBuyers(
    { ordersQuantity: product.ordersQuantity, capturedAt },
    earlier.map((row) => ({ ordersQuantity: row.ordersQuantity, capturedAt: row.capturedAt })),
  );
  const known = estimate.weeklyBuyers !== null;
  return {
    weeklyBuyers: estimate.weeklyBuyers,
    weeklyBuyersSource: known ? "orders_delta" : null,
    weeklyBuyersText: null,
    weeklyBuyersConfidence: null,
    weeklyBuyersReadAt: known ? capturedAt : null,
  };
}

export function isBannerSource(source: string | null | undefined): source is WeeklyBuyersSource {
  return (bannerSources as readonly string[]).includes(source ?? "");
}

/**
 * The weekly figure the score uses: today's when known, else the newest known one from the
 * past 14 days, else 0.
 */
export function chooseScoreWeekly(
  todayWeekly: number | null | undefined,
  earlier: SnapshotRow[],
  today: string,
): { value: number; basis: WeeklyBasis; date: string | null } {
  if (todayWeekly !== null && todayWeekly !== undefined) return { value: todayWeekly, basis: "current", date: today };

  const oldestAllowed = addDays(today, -weeklyLookBackDays);
  const lastKnown = earlier.find((row) => row.snapshotDate >= oldestAllowed && row.weeklyBuyers !== null);
  if (lastKnown) return { value: lastKnown.weeklyBuyers!, basis: "last_known", date: lastKnown.snapshotDate };

  return { value: 0, basis: "assumed_zero", date: null };
}
