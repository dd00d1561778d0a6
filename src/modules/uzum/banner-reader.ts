import type { WeeklyBuyersSource } from "../../db/schema";
import { BrowserError, type BrowserPool } from "../../lib/browser-pool";
import { AppError } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { BannerFinding, BannerOrigin } from "./banner-finding";
import type { UzumGraphqlClient, UzumLocale } from "./graphql-client";
import { findMotivationMatches, type MotivationKind } from "./motivation";
import type { UzumPageClient } from "./page-client";
import { pickSignal } from "./page-banner";

/**
 * Reads a product page's banners through three sources, cheapest first: Uzum's GraphQL API, the
 * server-rendered page HTML, and a real browser. It stores nothing; WeeklyBuyersService and
 * ProductService store what it returns.
 */

export type BannerSource = Exclude<WeeklyBuyersSource, "orders_delta">;
export type SourceOutcome = "found" | "no_banner" | "failed" | "skipped";

/**
 * How far a reading may go. `request` runs inside an API request: GraphQL and HTML only, within
 * a time budget. `scrape` may use the browser. Both stop at the first conclusive result and skip
 * GraphQL for a while after it failed. `forced` tries every source until one shows the banner.
 */
export type ReadMode = "request" | "scrape" | "forced";

/** The result one source gave for one product. */
export interface SourceAttempt {
  source: BannerSource;
  outcome: SourceOutcome;
  weeklyBuyers: number | null;
  /** The weekly-buyers banner exactly as the page showed it. */
  text: string | null;
  inCarts: number | null;
  inWishlists: number | null;
  confidence: number | null;
  /** Reason code for a failure, a skip or a missing banner; null when the source found one. */
  reason: string | null;
  /** For no_banner: the source read the product's own page data, so Uzum shows no banner today. */
  conclusive: boolean;
  durationMs: number;
}

/** The result of a reading: a weekly-buyers banner, or a conclusive "no banner" with the other signals. */
export interface BannerReading {
  source: BannerSource;
  weeklyBuyers: number | null;
  text: string | null;
  confidence: number | null;
  inCarts: number | null;
  inWishlists: number | null;
  readAt: Date;
}

export interface BannerReadResult {
  /** Null when no source could tell whether the page shows a banner. */
  reading: BannerReading | null;
  attempts: SourceAttempt[];
}

export interface ReadOptions {
  mode: ReadMode;
  /** Ends the reading early: a request's time budget or a scrape being stopped. */
  signal?: AbortSignal;
  /** For `request`: the time all sources together may take. */
  budgetMs?: number;
  locale?: UzumLocale;
}

/**
 * Confidence in a figure, by where it was read. The GraphQL MotivationAction is the structured
 * banner itself. The page's embedded data is usually the same action, but its reader also accepts
 * a lone banner string. Visible page text may also match a product description quoting a banner.
 */
export const bannerConfidence: Record<BannerOrigin, number> = { actions: 1, embedded: 0.9, dom: 0.7 };

/** How long GraphQL is skipped after it failed, outside forced readings. */
export const graphqlPauseMs = 60_000;

/** The share of a request's budget GraphQL may use, so the page HTML still has time after a slow GraphQL. */
const graphqlBudgetShare = 0.6;

/** Text that ends the browser's wait: any of the banner lines that motivation.ts parses. */
const bannerWaitPattern = /sotib\s+oldi|купил|insonning\s+(?:savatida|xohishlari)/i;

export interface BannerReaderDeps {
  graphql: UzumGraphqlClient;
  pages: UzumPageClient;
  browser: BrowserPool;
  clock: Clock;
  logger: Logger;
}

export class BannerReader {
  private graphqlPausedUntilMs = 0;

  constructor(private readonly deps: BannerReaderDeps) {}

  /** Reads the banner of one product. Each source's errors are caught and recorded in `attempts`, so this does not throw. */
  async read(productId: number, options: ReadOptions): Promise<BannerReadResult> {
    const startedAt = performance.now();
    const deadline = options.budgetMs === undefined ? undefined : startedAt + options.budgetMs;
    const sources: BannerSource[] = options.mode === "request" ? ["graphql", "html"] : ["graphql", "html", "browser"];
    const attempts: SourceAttempt[] = [];
    let answer: SourceAttempt | undefined;

    for (const source of sources) {
      const settled = answer?.outcome === "found" || (answer?.conclusive === true && options.mode !== "forced");
      if (settled) {
        attempts.push(skipped(source, "answered_by_earlier_source"));
        continue;
      }

      const attempt = await this.attempt(source, productId, options, deadline);
      attempts.push(attempt);
      if (attempt.outcome === "found" || (attempt.conclusive && !answer)) answer = attempt;
    }

    const reading = answer ? toReading(answer, this.deps.clock.now()) : null;
    this.deps.logger.debug(
      { productId, mode: options.mode, source: reading?.source, weeklyBuyers: reading?.weeklyBuyers, attempts: attempts.map(summarize), durationMs: Math.round(performance.now() - startedAt) },
      "weekly_buyers.read",
    );
    return { reading, attempts };
  }

  private async attempt(source: BannerSource, productId: number, options: ReadOptions, deadline: number | undefined): Promise<SourceAttempt> {
    if (options.signal?.aborted) return skipped(source, abortReason(options.signal));
    if (deadline !== undefined && performance.now() >= deadline) return skipped(source, "budget_exhausted");
    if (source === "graphql" && options.mode !== "forced" && this.deps.clock.now().getTime() < this.graphqlPausedUntilMs) {
      return skipped(source, "paused_after_failure");
    }
    if (source === "browser" && !this.deps.browser.isAvailable()) return skipped(source, "browser_unavailable");

    const startedAt = performance.now();
    const signal = sourceSignal(source, options.signal, deadline);
    const retries = options.mode === "request" ? { maxRetries: 0 } : {};
    try {
      const attempt =
        source === "graphql"
          ? await this.readGraphql(productId, { ...retries, signal, locale: options.locale })
          : source === "html"
            ? await this.readHtml(productId, { ...retries, signal, locale: options.locale })
            : await this.readBrowser(productId, options.locale);
      if (source === "graphql") this.graphqlPausedUntilMs = 0;
      return { ...attempt, durationMs: Math.round(performance.now() - startedAt) };
    } catch (error) {
      const reason = failureReason(error);
      if (source === "graphql" && !callerAborted(options.signal)) this.pauseGraphql(reason);
      if (!(error instanceof AppError) && !(error instanceof BrowserError)) {
        this.deps.logger.error({ err: error, productId, source }, "weekly_buyers.source_error");
      }
      return { ...empty(source, "failed", reason), durationMs: Math.round(performance.now() - startedAt) };
    }
  }

  private async readGraphql(productId: number, options: { signal?: AbortSignal; maxRetries?: number; locale?: UzumLocale }) {
    const page = await this.deps.graphql.productPageBanners(productId, options);
    if (!page.pageFound) return empty("graphql", "failed", "product_page_not_found");
    return fromFindings("graphql", page.findings, true);
  }

  private async readHtml(productId: number, options: { signal?: AbortSignal; maxRetries?: number; locale?: UzumLocale }) {
    const page = await this.deps.pages.readProductPage(productId, options);
    if (!page) return empty("html", "failed", "http_404");
    return fromFindings("html", page.findings, page.hasProductData);
  }

  private async readBrowser(productId: number, locale: UzumLocale | undefined) {
    const url = this.deps.pages.productPageUrl(productId, locale);
    const page = await this.deps.browser.readText(url, { waitForText: bannerWaitPattern });
    if (page.status !== undefined && page.status >= 400) return empty("browser", "failed", `http_${page.status}`);

    const findings: BannerFinding[] = findMotivationMatches(page.text).map((match) => ({
      text: match.text.replace(/\s+/g, " "),
      reading: { kind: match.kind, count: match.count },
      origin: "dom",
    }));
    return fromFindings("browser", findings, false);
  }

  private pauseGraphql(reason: string): void {
    const wasPaused = this.deps.clock.now().getTime() < this.graphqlPausedUntilMs;
    this.graphqlPausedUntilMs = this.deps.clock.now().getTime() + graphqlPauseMs;
    if (!wasPaused) this.deps.logger.warn({ reason, pauseMs: graphqlPauseMs }, "weekly_buyers.graphql_paused");
  }
}

type AttemptWithoutDuration = Omit<SourceAttempt, "durationMs">;

function fromFindings(source: BannerSource, findings: BannerFinding[], pageDataSeen: boolean): AttemptWithoutDuration {
  const count = (kind: MotivationKind) => pickSignal(findings, kind)?.reading.count ?? null;
  const weekly = pickSignal(findings, "weekly_buyers");
  const signals = { inCarts: count("in_carts"), inWishlists: count("in_wishlists") };

  if (!weekly) {
    return { ...empty(source, "no_banner", pageDataSeen ? "page_shows_no_banner" : "banner_not_found"), ...signals, conclusive: pageDataSeen };
  }
  return {
    source,
    outcome: "found",
    weeklyBuyers: weekly.reading.count,
    text: weekly.text,
    ...signals,
    confidence: bannerConfidence[weekly.origin],
    reason: null,
    conclusive: true,
  };
}

function empty(source: BannerSource, outcome: SourceOutcome, reason: string): AttemptWithoutDuration {
  return { source, outcome, weeklyBuyers: null, text: null, inCarts: null, inWishlists: null, confidence: null, reason, conclusive: false };
}

function skipped(source: BannerSource, reason: string): SourceAttempt {
  return { ...empty(source, "skipped", reason), durationMs: 0 };
}

function toReading(attempt: SourceAttempt, readAt: Date): BannerReading {
  const { source, weeklyBuyers, text, confidence, inCarts, inWishlists } = attempt;
  return { source, weeklyBuyers, text, confidence, inCarts, inWishlists, readAt };
}

/** Builds the signal one source runs under: the caller's, and in a request a deadline with GraphQL's share of it. */
function sourceSignal(source: BannerSource, caller: AbortSignal | undefined, deadline: number | undefined): AbortSignal | undefined {
  if (deadline === undefined) return caller;

  let remainingMs = Math.max(1, Math.round(deadline - performance.now()));
  if (source === "graphql") remainingMs = Math.max(1, Math.round(remainingMs * graphqlBudgetShare));
  const timeout = AbortSignal.timeout(remainingMs);
  return caller ? AbortSignal.any([caller, timeout]) : timeout;
}

/** True when the caller stopped the reading for a reason other than running out of time. */
function callerAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (signal.reason as { name?: string } | undefined)?.name !== "TimeoutError";
}

function abortReason(signal: AbortSignal): string {
  return callerAborted(signal) ? "aborted" : "budget_exhausted";
}

/** Maps a source's error to a short, stable reason code, taken from the clients' error details. */
function failureReason(error: unknown): string {
  if (error instanceof AppError) {
    const reason = error.details?.reason;
    return typeof reason === "string" ? reason : error.code.toLowerCase();
  }
  if (error instanceof BrowserError) return `browser_${error.reason}`;
  return "unexpected_error";
}

function summarize(attempt: SourceAttempt): string {
  return `${attempt.source}:${attempt.outcome}${attempt.reason ? `(${attempt.reason})` : ""}`;
}
