import type { Database } from "../../db/client";
import type { ProductRefreshed } from "../../jobs/refresh-events";
import type { WeeklyBasis, WeeklyBuyersSource } from "../../db/schema";
import { notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { addDays, tashkentDate, type Clock } from "../../lib/time";
import type { BannerReader, BannerReadResult, BannerReading } from "./banner-reader";
import type { StockType, UzumClient, UzumProduct } from "./client";
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
import { markBannerChecked, markBannerRequested } from "./weekly-buyers-repository";
import { estimateWeeklyBuyers } from "./weekly-estimate";

/** How far back the score may borrow a weekly figure when today's is unknown. */
export const weeklyLookBackDays = 14;

export interface ProductServiceDeps {
  db: Database;
  uzum: UzumClient;
  clock: Clock;
  logger: Logger;
  /** Reads the page banner beside the REST fetch; without it an analysis uses the orders-delta estimate only. */
  banners?: BannerReader;
  /** Time an analysis may spend on the banner's cheap sources; 0 leaves every reading to the scrape. */
  weeklyBuyersBudgetMs?: number;
  /** Receives every stored analysis with the snapshot before it, for the alert rules. */
  events?: { emit(event: ProductRefreshed): Promise<void> };
}

export interface AnalyzeOptions {
  /** False skips the banner, for a caller that reads it itself right after. */
  readBanner?: boolean;
  /**
   * Stops the Uzum requests under way, for a caller that no longer wants the result, such as a
   * cancelled scan. An aborted REST fetch throws and stores nothing; a product whose REST response
   * arrived is stored, without the banner when its reading was cut short.
   */
  signal?: AbortSignal;
}

/** The Uzum data `ProductService.fetch` returns for one product, ready for `store`. */
export interface FetchedProduct {
  product: UzumProduct;
  banner: BannerReadResult | undefined;
  /** Whether the banner was wanted, so `store` queues the product for the scrape when it was not read. */
  readBanner: boolean;
  /** performance.now() when the fetch began, for the analysis's logged duration. */
  startedAt: number;
}

/** Product analysis: fetch from Uzum, store the day's snapshot, score. */
export class ProductService {
  constructor(private readonly deps: ProductServiceDeps) {}

  /**
   * Fetches the product from Uzum, stores it with today's snapshot and returns the stored result.
   * The banner is read from GraphQL and the page HTML at the same time as the REST fetch; when
   * neither returns a result within the budget, the analysis keeps the estimate and queues the
   * product for the next scrape.
   */
  async analyze(productId: number, options: AnalyzeOptions = {}): Promise<StoredProduct> {
    return this.store(await this.fetch(productId, options));
  }

  /**
   * Fetches the Uzum half of an analysis: the REST product with the banner reading beside it.
   * Stores nothing, so a caller that limits Uzum requests can hold its slot for this part only and `store` after.
   */
  async fetch(productId: number, options: AnalyzeOptions = {}): Promise<FetchedProduct> {
    const startedAt = performance.now();
    const budgetMs = this.deps.weeklyBuyersBudgetMs ?? 0;
    const readBanner = options.readBanner !== false && this.deps.banners !== undefined;

    // A failed REST fetch ends the analysis, so it also stops the banner reading.
    const stopBanner = new AbortController();
    const bannerSignal = options.signal ? AbortSignal.any([options.signal, stopBanner.signal]) : stopBanner.signal;
    const bannerRead: Promise<BannerReadResult | undefined> =
      readBanner && budgetMs > 0
        ? this.deps.banners!.read(productId, { mode: "request", budgetMs, signal: bannerSignal })
        : Promise.resolve(undefined);
    let product: UzumProduct;
    try {
      product = await this.deps.uzum.fetchProduct(productId, { signal: options.signal });
    } catch (error) {
      stopBanner.abort();
      await bannerRead;
      throw error;
    }
    return { product, banner: await bannerRead, readBanner, startedAt };
  }

  /** Builds today's snapshot from a fetched product, scores it and stores it: the database half of an analysis. */
  async store(fetched: FetchedProduct): Promise<StoredProduct> {
    const { product, banner, readBanner, startedAt } = fetched;
    const productId = product.id;
    const capturedAt = this.deps.clock.now();
    const today = tashkentDate(capturedAt);

    const history = await recentSnapshots(this.deps.db, productId, today);
    const snapshot = buildSnapshot(product, history, capturedAt, today, banner?.reading ?? null);
    const stored = await saveAnalysis(this.deps.db, product, snapshot, capturedAt);
    // Every analysis (a request, the bot, a scan or the refresh) checks the alert rules. An alert thus
    // compares the previous snapshot with this one and fires on the first analysis that finds a change.
    await this.deps.events?.emit({ productId, previous: history[0] ?? null, current: stored });

    // A banner read earlier today is still today's figure, so only a product without one is queued.
    const queueBanner = readBanner && !banner?.reading && !isBannerSource(stored.snapshot.weeklyBuyersSource);
    if (readBanner && banner?.reading) await markBannerChecked(this.deps.db, productId, capturedAt);
    else if (queueBanner) await markBannerRequested(this.deps.db, productId, capturedAt);

    // Debug, not info: a scheduled refresh or a discovery scan analyses thousands of products
    // and logs its own summary, while a request already gets its request.completed line.
    this.deps.logger.debug(
      {
        productId,
        weeklyBuyers: stored.snapshot.weeklyBuyers,
        weeklyBuyersSource: stored.snapshot.weeklyBuyersSource,
        bannerQueued: queueBanner,
        durationMs: Math.round(performance.now() - startedAt),
      },
      "product.analyzed",
    );
    return stored;
  }

  /** Returns the stored analysis; throws 404 PRODUCT_NOT_ANALYZED when the product was never analysed. */
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
 * (newest first, possibly including today's row). A weekly figure in `banner` wins over the estimate.
 */
export function buildSnapshot(
  product: UzumProduct,
  history: SnapshotRow[],
  capturedAt: Date,
  today: string,
  banner: BannerReading | null = null,
): NewSnapshot {
  const prices = summarizePrices(product.skus);
  const todayRow = history.find((row) => row.snapshotDate === today);
  const earlier = history.filter((row) => row.snapshotDate < today);

  const weekly = banner?.weeklyBuyers != null ? bannerWeeklyFields(banner) : chooseWeeklyBuyers(product, todayRow, earlier, capturedAt);
  const score = scoreDay(
    { weeklyBuyers: weekly.weeklyBuyers ?? null, ordersQuantity: product.ordersQuantity, rating: product.rating, mainStockType: prices.mainStockType },
    earlier,
    today,
  );

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
    inCarts: banner?.inCarts ?? todayRow?.inCarts ?? null,
    inWishlists: banner?.inWishlists ?? todayRow?.inWishlists ?? null,
    ...score,
  };
}

export interface DayFigures {
  weeklyBuyers: number | null;
  ordersQuantity: number | null;
  rating: number | null;
  mainStockType: StockType | null;
}

/** Scores a day's figures, borrowing a recent weekly figure when the day's is unknown. */
export function scoreDay(figures: DayFigures, earlier: SnapshotRow[], today: string) {
  const scoreWeekly = chooseScoreWeekly(figures.weeklyBuyers, earlier, today);
  const breakdown = computeScore({
    weeklyBuyers: scoreWeekly.value,
    ordersQuantity: figures.ordersQuantity ?? 0,
    rating: figures.rating ?? 0,
    mainStockType: figures.mainStockType,
  });

  return {
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

/** Maps a banner reading to the snapshot's weekly columns. The 5,000 a week cap is for estimates only, so it does not apply. */
export function bannerWeeklyFields(reading: BannerReading): WeeklyFields {
  return {
    weeklyBuyers: reading.weeklyBuyers,
    weeklyBuyersSource: reading.source,
    weeklyBuyersText: reading.text,
    weeklyBuyersConfidence: reading.confidence,
    weeklyBuyersReadAt: reading.readAt,
  };
}

/** Chooses the weekly fields: a banner read today wins, otherwise the orders-delta estimate, which may be null. */
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
 * Chooses the weekly figure the score uses: today's when known, else the newest banner figure of
 * the past 14 days, else the newest estimate of those days, else 0. `earlier` is newest first.
 */
export function chooseScoreWeekly(
  todayWeekly: number | null | undefined,
  earlier: SnapshotRow[],
  today: string,
): { value: number; basis: WeeklyBasis; date: string | null } {
  if (todayWeekly !== null && todayWeekly !== undefined) return { value: todayWeekly, basis: "current", date: today };

  // A banner is what Uzum itself showed, so the newest banner of the window wins over a newer
  // orders-delta estimate. The estimate is used only when no banner was read in the window.
  const oldestAllowed = addDays(today, -weeklyLookBackDays);
  const known = earlier.filter((row) => row.snapshotDate >= oldestAllowed && row.weeklyBuyers !== null);
  const lastKnown = known.find((row) => isBannerSource(row.weeklyBuyersSource)) ?? known[0];
  if (lastKnown) return { value: lastKnown.weeklyBuyers!, basis: "last_known", date: lastKnown.snapshotDate };

  return { value: 0, basis: "assumed_zero", date: null };
}
