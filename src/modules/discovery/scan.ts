import type { Database } from "../../db/client";
import type { DiscoveryErrorCode } from "../../db/schema";
import { RateLimiter } from "../../jobs/rate-limiter";
import type { BrowserPool } from "../../lib/browser-pool";
import { AppError } from "../../lib/errors";
import { Semaphore } from "../../lib/semaphore";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { ProductService } from "../uzum/service";
import type { DiscoveryConfig } from "./config";
import { listingPageSize, type CategoryListingClient, type ListedProduct, type ListingPage } from "./listing-client";
import { readCategoryPage } from "./page-listing";
import { ProductQueue } from "./product-queue";
import { failRun, findRunStatus, finishRun, releaseRun, saveListing, saveProgress, type RunListing, type RunProgress, type RunRow } from "./repository";

/** The part of product analysis a scan needs: fetch from Uzum, then store with today's snapshot and score. */
export type ProductAnalyzer = Pick<ProductService, "fetch" | "store">;

export interface ScanDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  products: ProductAnalyzer;
  listing: CategoryListingClient;
  /** The browser for the category page when GraphQL fails; without one that fallback is skipped. */
  browser: BrowserPool | undefined;
  /** The storefront origin, such as https://uzum.uz, that a run's page path is read from. */
  webUrl: string;
  /** Time the browser may spend on one category page, below the pool's own page timeout. */
  browserBudgetMs: number;
  config: DiscoveryConfig;
}

/** Why a scan stopped before its end: a user cancelled it, the service is shutting down, or another worker took it over. */
export type StopReason = "cancelled" | "shutdown" | "lost";

/** The abort reason a scan's signal carries. */
export class ScanStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`Discovery scan stopped: ${reason}`);
    this.name = "ScanStopped";
  }
}

/** Why a category could not be listed: the run's error code and its reason in English. */
interface ListingFailure {
  code: Extract<DiscoveryErrorCode, "LISTING_FAILED" | "CATEGORY_EMPTY">;
  reason: string;
}

export type ScanResult = { outcome: "finished" | "failed"; run: RunRow } | { outcome: "stopped"; reason: StopReason };

/**
 * One worker's pass over a claimed run: list the category (GraphQL, else the browser), analyse
 * each listed product, and store the winners. Progress is stored every `concurrency` products and
 * on every heartbeat, so a run resumed after a crash repeats at most that much work.
 */
export class RunScan {
  private readonly fetched: number[];
  private readonly failed: number[];
  private readonly failureCodes = new Map<string, number>();
  private readonly rate: RateLimiter;
  private listing: Partial<RunListing> = {};
  private sinceFlush = 0;
  private flushing: Promise<void> = Promise.resolve();
  private flushQueued = false;

  constructor(
    private readonly deps: ScanDeps,
    private readonly run: RunRow,
    private readonly workerId: string,
    private readonly controller: AbortController,
  ) {
    this.fetched = [...run.fetchedProductIds];
    this.failed = [...run.failedProductIds];
    this.rate = new RateLimiter(deps.config.ratePerSecond);
  }

  /** Scans to the end, or until the signal stops it; never leaves the run without a heartbeat while it works. */
  async execute(): Promise<ScanResult> {
    const heartbeat = setInterval(() => void this.flush(), this.deps.config.heartbeatMs);
    try {
      return await this.scan();
    } finally {
      clearInterval(heartbeat);
    }
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private async scan(): Promise<ScanResult> {
    const startedAt = performance.now();
    const queue = new ProductQueue(this.deps.config.maxProducts, [...this.fetched, ...this.failed]);
    this.signal.addEventListener("abort", () => queue.close(), { once: true });

    const listed = this.run.listedProductIds;
    let listingFailure: Promise<ListingFailure | null>;
    if (listed) {
      queue.push(listed);
      queue.close();
      listingFailure = Promise.resolve(null);
    } else {
      listingFailure = this.list(queue).finally(() => queue.close());
    }

    // Twice as many workers as fetch slots: while one product is stored, the next one's fetch can use the slot.
    const fetchSlots = new Semaphore(this.deps.config.concurrency);
    const workers = Array.from({ length: 2 * this.deps.config.concurrency }, () => this.fetchLoop(queue, fetchSlots));
    const failure = await listingFailure;
    await Promise.all(workers);
    await this.flush();

    const stopped = this.stopReason();
    if (stopped) return this.stop(stopped);
    if (failure) return this.fail(failure.code, failure.reason);

    const total = listed?.length ?? queue.listedCount;
    if (this.fetched.length === 0) {
      return this.fail("NO_PRODUCT_FETCHED", `None of the ${total} listed products could be fetched (${this.describeFailures()})`);
    }

    const run = await finishRun(this.deps.db, this.run.id, this.workerId, this.progress(), this.deps.config.winnerCount, this.deps.clock.now());
    if (!run) return this.stop(await this.lossReason());

    this.deps.logger.info(
      {
        runId: run.id,
        categoryId: run.categoryId,
        source: run.source,
        listed: total,
        fetched: this.fetched.length,
        failed: this.failed.length,
        failures: Object.fromEntries(this.failureCodes),
        durationMs: Math.round(performance.now() - startedAt),
      },
      "discovery.run_finished",
    );
    return { outcome: "finished", run };
  }

  /** Lists the category into the queue; returns why nothing could be listed, or null when something was. */
  private async list(queue: ProductQueue): Promise<ListingFailure | null> {
    const graphqlFailure = await this.listFromGraphql(queue);
    if (graphqlFailure === null || this.signal.aborted) return null;

    this.deps.logger.warn({ runId: this.run.id, categoryId: this.run.categoryId, reason: graphqlFailure.reason }, "discovery.graphql_listing_failed");
    const browserFailure = await this.listFromBrowser(queue);
    if (browserFailure === null || this.signal.aborted) return null;
    return { code: graphqlFailure.code, reason: `GraphQL: ${graphqlFailure.reason}. Browser: ${browserFailure}` };
  }

  private async listFromGraphql(queue: ProductQueue): Promise<ListingFailure | null> {
    const { categoryId, locale } = this.run;
    const signal = this.signal;

    let first: ListingPage;
    try {
      first = await this.deps.listing.fetchPage(categoryId, { offset: 0, locale, withCategoryTree: true, signal });
    } catch (error) {
      return { code: "LISTING_FAILED", reason: describeError(error) };
    }
    this.listing = { categoryName: first.categoryName, categoryPath: first.categoryPath, categoryTotal: first.total };
    if (first.products.length === 0) {
      return { code: "CATEGORY_EMPTY", reason: `Uzum listed no products in category ${categoryId} (total ${first.total})` };
    }

    await this.saveListing({ source: "graphql", listedProductIds: null });
    queue.push(first.products.map((product) => product.productId));

    // Uzum counts SKU groups as cards, so a page can repeat a product and paging goes on until enough distinct ones are listed.
    const bound = first.total > 0 ? first.total : first.products.length;
    for (let offset = listingPageSize; queue.listedCount < this.deps.config.maxProducts && offset < bound && !signal.aborted; offset += listingPageSize) {
      let page: ListingPage;
      try {
        page = await this.deps.listing.fetchPage(categoryId, { offset, locale, withCategoryTree: false, signal });
      } catch (error) {
        if (signal.aborted) break;
        this.deps.logger.warn({ runId: this.run.id, offset, listed: queue.listedCount, err: error }, "discovery.listing_page_failed");
        break;
      }
      if (page.products.length === 0) break;
      queue.push(page.products.map((product) => product.productId));
    }

    if (!signal.aborted) await this.saveListing({ source: "graphql", listedProductIds: queue.listedIds() });
    return null;
  }

  private async listFromBrowser(queue: ProductQueue): Promise<string | null> {
    const browser = this.deps.browser;
    if (!browser || !browser.isAvailable()) return "no Chromium is available for the category page";

    const url = `${this.deps.webUrl}${this.run.pagePath}`;
    let products: ListedProduct[];
    try {
      const page = await readCategoryPage(browser, url, { maxProducts: this.deps.config.maxProducts, budgetMs: this.deps.browserBudgetMs });
      products = page.products;
      this.listing.categoryName = page.categoryName ?? this.listing.categoryName ?? null;
    } catch (error) {
      return `${url}: ${describeError(error)}`;
    }
    if (products.length === 0) return `${url} showed no product cards`;

    queue.push(products.map((product) => product.productId));
    await this.saveListing({ source: "browser", listedProductIds: queue.listedIds() });
    return null;
  }

  /**
   * Takes products from the queue until it is empty. Only the Uzum part runs inside one of `fetchSlots`,
   * so the configured concurrency bounds requests to Uzum and not the database writes after them.
   */
  private async fetchLoop(queue: ProductQueue, fetchSlots: Semaphore): Promise<void> {
    const { products } = this.deps;
    for (let productId = await queue.take(); productId !== undefined; productId = await queue.take()) {
      try {
        const fetched = await fetchSlots.run(async () => {
          await this.rate.wait(this.signal);
          this.signal.throwIfAborted();
          // A stop drops the Uzum requests under way, so a cancel takes effect at once.
          return products.fetch(productId, { signal: this.signal });
        });
        await products.store(fetched);
        this.fetched.push(productId);
      } catch (error) {
        // A product cut short by a stop is neither fetched nor failed: a resumed run fetches it again.
        if (this.signal.aborted) return;
        this.failed.push(productId);
        const code = error instanceof AppError ? error.code : error instanceof Error ? error.name : "UNKNOWN";
        this.failureCodes.set(code, (this.failureCodes.get(code) ?? 0) + 1);
        if (!(error instanceof AppError)) this.deps.logger.error({ err: error, runId: this.run.id, productId }, "discovery.product_error");
      }

      this.sinceFlush += 1;
      if (this.sinceFlush >= this.deps.config.concurrency) void this.flush();
    }
  }

  private progress(): RunProgress {
    return { fetchedProductIds: [...this.fetched], failedProductIds: [...this.failed] };
  }

  private async saveListing(listing: Pick<RunListing, "source" | "listedProductIds">): Promise<void> {
    const full: RunListing = {
      categoryName: this.listing.categoryName ?? null,
      categoryPath: this.listing.categoryPath ?? [],
      categoryTotal: this.listing.categoryTotal ?? null,
      source: listing.source,
      listedProductIds: listing.listedProductIds,
    };
    const owned = await saveListing(this.deps.db, this.run.id, this.workerId, full, this.deps.clock.now());
    if (!owned) this.abort(await this.lossReason());
  }

  /**
   * Stores progress and renews the heartbeat, one write at a time; a run no longer owned is stopped.
   * Workers do not wait for it, and calls made while a write is waiting to start share that write.
   */
  private flush(): Promise<void> {
    if (this.flushQueued) return this.flushing;
    this.flushQueued = true;
    this.flushing = this.flushing.then(async () => {
      this.flushQueued = false;
      this.sinceFlush = 0;
      try {
        const owned = await saveProgress(this.deps.db, this.run.id, this.workerId, this.progress(), this.deps.clock.now());
        if (!owned) this.abort(await this.lossReason());
      } catch (error) {
        // The next heartbeat tries again; a worker that cannot write for too long loses the run to another.
        this.deps.logger.error({ err: error, runId: this.run.id }, "discovery.heartbeat_failed");
      }
    });
    return this.flushing;
  }

  private abort(reason: StopReason): void {
    if (!this.signal.aborted) this.controller.abort(new ScanStopped(reason));
  }

  private stopReason(): StopReason | null {
    if (!this.signal.aborted) return null;
    return this.signal.reason instanceof ScanStopped ? this.signal.reason.reason : "shutdown";
  }

  private async lossReason(): Promise<StopReason> {
    const status = await findRunStatus(this.deps.db, this.run.id);
    return status === "CANCELLED" ? "cancelled" : "lost";
  }

  private async stop(reason: StopReason): Promise<ScanResult> {
    if (reason === "shutdown") await releaseRun(this.deps.db, this.run.id, this.workerId, this.progress());
    this.deps.logger.info({ runId: this.run.id, reason, fetched: this.fetched.length, failed: this.failed.length }, "discovery.run_stopped");
    return { outcome: "stopped", reason };
  }

  private async fail(code: DiscoveryErrorCode, error: string): Promise<ScanResult> {
    const run = await failRun(this.deps.db, this.run.id, this.workerId, this.progress(), { code, error }, this.deps.clock.now());
    if (!run) return this.stop(await this.lossReason());

    this.deps.logger.warn({ runId: run.id, categoryId: run.categoryId, error }, "discovery.run_failed");
    return { outcome: "failed", run };
  }

  private describeFailures(): string {
    const parts = [...this.failureCodes].map(([code, times]) => `${code} ×${times}`);
    return parts.length > 0 ? parts.join(", ") : "no product was attempted";
  }
}

function describeError(error: unknown): string {
  if (error instanceof AppError) {
    const reason = (error.details as { reason?: unknown } | undefined)?.reason;
    return reason ? `${error.message} (${String(reason)})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
