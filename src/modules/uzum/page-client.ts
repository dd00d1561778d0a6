import { UpstreamError } from "../../lib/errors";
import { HttpClient, HttpRequestError, type HttpAttemptEvent } from "../../lib/http-client";
import type { Logger } from "../../lib/logger";
import type { BannerFinding } from "./banner-finding";
import type { UzumLocale } from "./graphql-client";
import { findMotivationInHtml } from "./page-banner";

/** Uzum's server-rendered product page, fetched as a browser would and read for its banners. */

export interface UzumPageClientOptions {
  webUrl: string;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrency: number;
  proxyUrl?: string;
  logger: Logger;
  baseDelayMs?: number;
  /** Called once per attempt, for metrics. */
  onAttempt?: (event: HttpAttemptEvent) => void;
}

export interface PageCallOptions {
  locale?: UzumLocale;
  signal?: AbortSignal;
  maxRetries?: number;
}

/**
 * The banners of one server-rendered page. `hasProductData` is true when the page embeds the
 * product page data it was rendered from, so finding no banner there means Uzum shows none.
 */
export interface ProductPageHtml {
  findings: BannerFinding[];
  hasProductData: boolean;
}

// The key under which Uzum's Nuxt app stores the productPage GraphQL result in the page.
const productDataKey = '"pdp:get-product"';

export class UzumPageClient {
  private readonly http: HttpClient;

  constructor(private readonly options: UzumPageClientOptions) {
    this.http = new HttpClient({ ...options, name: "uzum-web" });
  }

  /** Builds the page's address. The slug before the id is free text, so it is left empty: `/uz/product/-{id}`. */
  productPageUrl(productId: number, locale: UzumLocale = "uz"): string {
    return `${this.options.webUrl}/${locale}/product/-${productId}`;
  }

  /**
   * Fetches the product page and reads its banners; returns null when Uzum responds 404. Throws
   * UpstreamError for other failures, with `details.reason` naming the failure.
   */
  async readProductPage(productId: number, options: PageCallOptions = {}): Promise<ProductPageHtml | null> {
    const locale = options.locale ?? "uz";
    const url = this.productPageUrl(productId, locale);
    const headers = {
      accept: "text/html,application/xhtml+xml",
      "accept-language": locale === "ru" ? "ru-RU,ru;q=0.9" : "uz-UZ,uz;q=0.9",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36",
    };

    const answer = await this.http
      .request(url, { headers, signal: options.signal }, { maxRetries: options.maxRetries })
      .catch((error: unknown) => {
        if (!(error instanceof HttpRequestError)) throw error;
        throw new UpstreamError(503, "UZUM_UNAVAILABLE", "uzum-web", { reason: error.kind }, error.message);
      });
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      throw new UpstreamError(502, "UZUM_UNAVAILABLE", "uzum-web", { reason: `http_${answer.status}` }, `Uzum responded ${answer.status} for ${url}`);
    }

    return { findings: findMotivationInHtml(answer.body), hasProductData: answer.body.includes(productDataKey) };
  }
}
