import { randomUUID } from "node:crypto";
import { UpstreamError } from "../../lib/errors";
import { HttpClient, HttpRequestError, type HttpAnswer, type HttpAttemptEvent } from "../../lib/http-client";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { BannerFinding } from "./banner-finding";
import { findMotivationInProductPage } from "./page-banner";

/**
 * Uzum's storefront GraphQL API, called the way Uzum's own web client calls it: an anonymous
 * token from Uzum ID and the web client's headers. The wire format stays in this file, and
 * `query` is the entry point for further operations such as a `makeSearch` listing.
 */

export type UzumLocale = "uz" | "ru";

/** The `apollographql-client-version` that uzum.uz sent in a request captured in February 2026. */
export const webClientVersion = "1.63.2";

/** A token is renewed this long before its `exp`, so a request never carries one that expires in flight. */
const tokenExpirySkewMs = 30_000;

export interface UzumGraphqlClientOptions {
  graphqlUrl: string;
  /** Uzum ID, which issues the anonymous token. */
  idUrl: string;
  /** The storefront origin, sent as the Referer like a browser on uzum.uz does. */
  webUrl: string;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrency: number;
  proxyUrl?: string;
  logger: Logger;
  clock: Clock;
  baseDelayMs?: number;
  /** Called once per attempt, for metrics. */
  onAttempt?: (event: HttpAttemptEvent) => void;
  /** Maximum time a token is reused, also when its JWT has no readable `exp`. */
  tokenMaxAgeMs?: number;
}

export interface GraphqlCallOptions {
  locale?: UzumLocale;
  signal?: AbortSignal;
  /** Overrides the configured retries, such as 0 inside a request's time budget. */
  maxRetries?: number;
}

/** The banners of one product page; `pageFound` is false when Uzum has no page for the id. */
export interface ProductPageBanners {
  pageFound: boolean;
  findings: BannerFinding[];
}

interface CachedToken {
  value: string;
  expiresAtMs: number;
}

// Asks for the actions only: the banner is all this query is for, and the full product comes from REST.
const productPageQuery = `query productPage($id: Int!) {
  productPage(id: $id) {
    actions {
      __typename
      ... on MotivationAction { text type location }
    }
    __typename
  }
}`;

export class UzumGraphqlClient {
  /** The `x-iid` header: one random installation id per process, as a browser keeps one per device. */
  readonly installationId = randomUUID();
  private readonly http: HttpClient;
  private readonly tokenMaxAgeMs: number;
  private token: CachedToken | undefined;
  private tokenRequest: Promise<string> | undefined;

  constructor(private readonly options: UzumGraphqlClientOptions) {
    this.http = new HttpClient({ ...options, name: "uzum-graphql" });
    this.tokenMaxAgeMs = options.tokenMaxAgeMs ?? 30 * 60_000;
  }

  /**
   * Reads the motivation banners of a product page. Throws UpstreamError when Uzum cannot be
   * reached or sends an error, with `details.reason` naming the failure.
   */
  async productPageBanners(productId: number, options: GraphqlCallOptions = {}): Promise<ProductPageBanners> {
    const data = await this.query<{ productPage?: unknown }>("productPage", productPageQuery, { id: productId }, options);
    if (data.productPage === null || data.productPage === undefined) return { pageFound: false, findings: [] };

    return { pageFound: true, findings: findMotivationInProductPage({ productPage: data.productPage }) };
  }

  /**
   * Sends one GraphQL operation and returns its `data`. A 401 gets a new anonymous token and one
   * more try. Throws UpstreamError: 503 when Uzum is unreachable, 502 for any error response.
   */
  async query<T>(operationName: string, query: string, variables: Record<string, unknown>, options: GraphqlCallOptions = {}): Promise<T> {
    const body = JSON.stringify({ operationName, variables, query });

    let answer = await this.post(body, await this.anonymousToken(options), options);
    if (answer.status === 401) {
      this.options.logger.info({ operationName }, "uzum.graphql.token_rejected");
      this.token = undefined;
      answer = await this.post(body, await this.anonymousToken(options), options);
      if (answer.status === 401) throw upstreamFailure("uzum-graphql", 502, "unauthorized", "Uzum GraphQL rejected a fresh anonymous token");
    }
    if (answer.status !== 200) {
      throw upstreamFailure("uzum-graphql", 502, `http_${answer.status}`, `Uzum GraphQL responded ${answer.status} to ${operationName}`);
    }

    let parsed: { data?: T | null; errors?: Array<{ message?: unknown }> };
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw upstreamFailure("uzum-graphql", 502, "invalid_json", `Uzum GraphQL sent invalid JSON to ${operationName}`);
    }

    // GraphQL reports a partial failure as `errors` next to usable `data`, so only missing data fails.
    if (parsed?.data === null || parsed?.data === undefined || typeof parsed.data !== "object") {
      const messages = (parsed?.errors ?? []).slice(0, 3).map((error) => String(error?.message));
      throw upstreamFailure("uzum-graphql", 502, "graphql_errors", `Uzum GraphQL returned no data for ${operationName}: ${messages.join("; ")}`, { messages });
    }
    return parsed.data;
  }

  /** Builds the headers that uzum.uz's web client sends with every GraphQL request. */
  webClientHeaders(locale: UzumLocale, token: string): Record<string, string> {
    return {
      accept: "*/*",
      "content-type": "application/json",
      "accept-language": locale === "ru" ? "ru-RU,ru;q=0.9" : "uz-UZ,uz;q=0.9",
      authorization: `Bearer ${token}`,
      "apollographql-client-name": "web-customers",
      "apollographql-client-version": webClientVersion,
      "x-iid": this.installationId,
      referer: `${this.options.webUrl}/`,
      "user-agent": browserUserAgent,
    };
  }

  /**
   * Returns the cached anonymous token, or fetches one. Callers that arrive while a fetch is
   * under way share it, so a burst of requests makes one request to Uzum ID.
   */
  async anonymousToken(options: GraphqlCallOptions = {}): Promise<string> {
    const nowMs = this.options.clock.now().getTime();
    if (this.token && nowMs < this.token.expiresAtMs) return this.token.value;

    // NOTE: callers that join a fetch under way share the first caller's signal and retries, so that
    // caller running out of time fails the token for all of them; each then falls back to the next source.
    this.tokenRequest ??= this.fetchToken(options).finally(() => {
      this.tokenRequest = undefined;
    });
    return this.tokenRequest;
  }

  private post(body: string, token: string, options: GraphqlCallOptions): Promise<HttpAnswer> {
    const init = { method: "POST", body, headers: this.webClientHeaders(options.locale ?? "uz", token), signal: options.signal };
    return this.http.request(`${this.options.graphqlUrl}/`, init, { maxRetries: options.maxRetries }).catch((error: unknown) => {
      throw unreachable("uzum-graphql", error);
    });
  }

  /** POST /api/auth/token with no body; Uzum ID sets the token in an `access_token` cookie. */
  private async fetchToken(options: GraphqlCallOptions): Promise<string> {
    const url = `${this.options.idUrl}/api/auth/token`;
    const headers = { accept: "application/json", "user-agent": browserUserAgent, referer: `${this.options.webUrl}/` };
    const answer = await this.http
      .request(url, { method: "POST", headers, signal: options.signal }, { maxRetries: options.maxRetries })
      .catch((error: unknown) => {
        throw unreachable("uzum-id", error);
      });
    if (answer.status < 200 || answer.status >= 300) {
      throw upstreamFailure("uzum-id", 502, `token_http_${answer.status}`, `Uzum ID responded ${answer.status} to ${url}`);
    }

    const value = accessTokenCookie(answer.headers);
    if (!value) throw upstreamFailure("uzum-id", 502, "token_missing", `Uzum ID set no access_token cookie at ${url}`);

    const nowMs = this.options.clock.now().getTime();
    const maxExpiryMs = nowMs + this.tokenMaxAgeMs;
    const jwtExpiryMs = jwtExpiresAtMs(value);
    const expiresAtMs = jwtExpiryMs === undefined ? maxExpiryMs : Math.min(maxExpiryMs, jwtExpiryMs - tokenExpirySkewMs);
    this.token = { value, expiresAtMs };
    this.options.logger.info({ expiresInMs: expiresAtMs - nowMs }, "uzum.token.issued");
    return value;
  }
}

const browserUserAgent =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/145.0.0.0 Safari/537.36";

function accessTokenCookie(headers: Headers): string | undefined {
  for (const cookie of headers.getSetCookie()) {
    const match = /^\s*access_token=([^;]*)/.exec(cookie);
    if (match && match[1]) return decodeURIComponent(match[1]);
  }
  return undefined;
}

/** Reads the `exp` claim of a JWT without verifying it; undefined when the token is no readable JWT. */
function jwtExpiresAtMs(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;

  try {
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof claims.exp === "number" && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the error for a failed response; `details.reason` is the short code a caller records. */
function upstreamFailure(upstream: string, status: 502 | 503, reason: string, message: string, extra: Record<string, unknown> = {}) {
  return new UpstreamError(status, "UZUM_UNAVAILABLE", upstream, { reason, ...extra }, message);
}

function unreachable(upstream: string, error: unknown): unknown {
  if (!(error instanceof HttpRequestError)) return error;
  return upstreamFailure(upstream, 503, error.kind, error.message);
}
