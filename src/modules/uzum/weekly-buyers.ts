import type { Database } from "../../db/client";
import { AppError } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { tashkentDate, type Clock } from "../../lib/time";
import type { BannerReader, BannerReadResult, BannerReading, BannerSource, SourceAttempt } from "./banner-reader";
import { findStoredProduct, recentSnapshots, type SnapshotRow, type StoredProduct } from "./repository";
import { summarizePrices } from "./score";
import { bannerWeeklyFields, scoreDay, type ProductService } from "./service";
import { markBannerChecked, saveBannerReading, scrapeQueue, skusOnDay, type BannerSnapshotFields } from "./weekly-buyers-repository";

export interface WeeklyBuyersServiceDeps {
  db: Database;
  reader: BannerReader;
  products: ProductService;
  clock: Clock;
  logger: Logger;
  /** Products the scrape reads at once. */
  concurrency: number;
}

/** The result of reading one product: every source's attempt and the product as stored afterwards. */
export interface WeeklyBuyersRefresh {
  reading: BannerReading | null;
  attempts: SourceAttempt[];
  stored: StoredProduct;
}

export interface ScrapeSummary {
  /** Tracked products in the queue when the run started. */
  total: number;
  /** Products whose weekly-buyers banner was read, by the source that read it. */
  read: number;
  bySource: Record<BannerSource, number>;
  /** Products whose page shows no weekly-buyers banner. */
  noBanner: number;
  /** Products no source could read; their reasons are in the run's log line. */
  failed: number;
  /** True when the signal ended the run before every product was read. */
  stopped: boolean;
  durationMs: number;
}

/**
 * Reads the weekly-buyers banner outside an analysis request, where the browser may be used, and
 * stores it on today's snapshot with the score recomputed from it.
 */
export class WeeklyBuyersService {
  constructor(private readonly deps: WeeklyBuyersServiceDeps) {}

  /**
   * Reads the banner of one product and stores it. `forced` tries every source until one shows the
   * banner; `scrape` stops at the first source that can tell. A product without a snapshot today is
   * analysed first, so the reading lands on a row with that day's orders, prices and stock.
   */
  async refresh(productId: number, mode: "forced" | "scrape" = "forced", signal?: AbortSignal): Promise<WeeklyBuyersRefresh> {
    const { reading, attempts } = await this.readAndStore(productId, mode, signal);
    const stored = await findStoredProduct(this.deps.db, productId);
    return { reading, attempts, stored: stored! };
  }

  private async readAndStore(productId: number, mode: "forced" | "scrape", signal?: AbortSignal): Promise<BannerReadResult> {
    const today = tashkentDate(this.deps.clock.now());
    let history = await recentSnapshots(this.deps.db, productId, today);
    if (!history.some((row) => row.snapshotDate === today)) {
      await this.deps.products.analyze(productId, { readBanner: false });
      history = await recentSnapshots(this.deps.db, productId, today);
    }

    const { reading, attempts } = await this.deps.reader.read(productId, { mode, signal });
    if (reading) await this.store(productId, today, history, reading);
    else if (!signal?.aborted) await markBannerChecked(this.deps.db, productId, this.deps.clock.now());
    return { reading, attempts };
  }

  /**
   * Reads every product tracked by an active account: those an analysis queued first, then the least
   * recently checked. A product that fails is counted and the run goes on; `signal` stops it between products.
   */
  async scrapeTracked(options: { signal?: AbortSignal } = {}): Promise<ScrapeSummary> {
    const startedAt = performance.now();
    const queue = await scrapeQueue(this.deps.db);
    const summary: ScrapeSummary = {
      total: queue.length,
      read: 0,
      bySource: { graphql: 0, html: 0, browser: 0 },
      noBanner: 0,
      failed: 0,
      stopped: false,
      durationMs: 0,
    };
    const failureReasons: Record<string, number> = {};
    const countFailure = (reason: string) => {
      summary.failed += 1;
      failureReasons[reason] = (failureReasons[reason] ?? 0) + 1;
    };
    this.deps.logger.info({ total: queue.length, concurrency: this.deps.concurrency }, "weekly_buyers.scrape_started");

    let next = 0;
    const worker = async () => {
      while (next < queue.length && !options.signal?.aborted) {
        const productId = queue[next++];
        try {
          const { reading, attempts } = await this.readAndStore(productId, "scrape", options.signal);
          if (reading?.weeklyBuyers !== null && reading?.weeklyBuyers !== undefined) {
            summary.read += 1;
            summary.bySource[reading.source] += 1;
          } else if (reading || attempts.some((attempt) => attempt.outcome === "no_banner")) {
            summary.noBanner += 1;
          } else if (!options.signal?.aborted) {
            countFailure(attempts.map((attempt) => `${attempt.source}:${attempt.reason}`).join(","));
          }
        } catch (error) {
          // An analysis that fails (the product is gone, Uzum is down) must not end the run.
          if (!(error instanceof AppError)) this.deps.logger.error({ err: error, productId }, "weekly_buyers.scrape_product_failed");
          countFailure(error instanceof AppError ? error.code : "unexpected_error");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.deps.concurrency, queue.length) }, worker));

    summary.stopped = options.signal?.aborted === true && summary.read + summary.noBanner + summary.failed < queue.length;
    summary.durationMs = Math.round(performance.now() - startedAt);
    this.deps.logger.info({ ...summary, failureReasons }, "weekly_buyers.scrape_finished");
    return summary;
  }

  /** Puts the reading on the day's snapshot and rescores it; a banner replaces the estimate, while an absent one keeps what the row has. */
  private async store(productId: number, today: string, history: SnapshotRow[], reading: BannerReading): Promise<void> {
    const todayRow = history.find((row) => row.snapshotDate === today);
    const earlier = history.filter((row) => row.snapshotDate < today);
    if (!todayRow) return;

    const weekly = reading.weeklyBuyers !== null ? bannerWeeklyFields(reading) : weeklyFieldsOf(todayRow);
    const { mainStockType } = summarizePrices(await skusOnDay(this.deps.db, productId, today));
    const score = scoreDay(
      { weeklyBuyers: weekly.weeklyBuyers ?? null, ordersQuantity: todayRow.ordersQuantity, rating: todayRow.rating, mainStockType },
      earlier,
      today,
    );

    const fields: BannerSnapshotFields = {
      ...weekly,
      inCarts: reading.inCarts ?? todayRow.inCarts,
      inWishlists: reading.inWishlists ?? todayRow.inWishlists,
      ...score,
    };
    await saveBannerReading(this.deps.db, productId, today, fields, this.deps.clock.now());
  }
}

function weeklyFieldsOf(row: SnapshotRow) {
  return {
    weeklyBuyers: row.weeklyBuyers,
    weeklyBuyersSource: row.weeklyBuyersSource,
    weeklyBuyersText: row.weeklyBuyersText,
    weeklyBuyersConfidence: row.weeklyBuyersConfidence,
    weeklyBuyersReadAt: row.weeklyBuyersReadAt,
  };
}
