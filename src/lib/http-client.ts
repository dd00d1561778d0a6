import type { Logger } from "./logger";
import { Semaphore } from "./semaphore";

/** A request that got no HTTP response because the connection failed or the time ran out. */
export class HttpRequestError extends Error {
  constructor(
    readonly kind: "network" | "timeout",
    readonly url: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${kind === "timeout" ? "Timed out" : "Network error"} after ${attempts} attempt(s): ${url}`, options);
    this.name = "HttpRequestError";
  }
}

/** An HTTP response with its body already read. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export interface HttpClientOptions {
  /** Name of the upstream in logs, such as `uzum-rest`. */
  name: string;
  timeoutMs: number;
  /** Retries after the first attempt, for network errors, timeouts, 5xx and 429. */
  maxRetries: number;
  maxConcurrency: number;
  proxyUrl?: string;
  logger: Logger;
  /** First backoff step; each retry doubles it, with full jitter. */
  baseDelayMs?: number;
  /** Longest wait before a retry, including a server's Retry-After. */
  maxDelayMs?: number;
  /** Called once per attempt, for metrics. */
  onAttempt?: (event: HttpAttemptEvent) => void;
}

/** One attempt of a request: `outcome` is the HTTP status as text, or `network` or `timeout`. */
export interface HttpAttemptEvent {
  /** The client's `name`. */
  upstream: string;
  outcome: string;
  durationMs: number;
}

/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

export interface RequestOptions {
  /** Overrides the client's maxRetries for this request, such as 0 where a caller has its own fallback. */
  maxRetries?: number;
}

/**
 * fetch with a timeout per attempt, retries with exponential backoff and jitter,
 * `Retry-After` honoured on 429 and 503, a limit on requests in flight, and an optional proxy.
 */
export class HttpClient {
  private readonly semaphore: Semaphore;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(private readonly options: HttpClientOptions) {
    this.semaphore = new Semaphore(options.maxConcurrency);
    this.baseDelayMs = options.baseDelayMs ?? 250;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
  }

  get inFlight(): number {
    return this.semaphore.running;
  }

  /**
   * Sends the request and reads its body inside the concurrency slot.
   * Returns the last answer, which may still have an error status.
   * Once `init.signal` aborts, no further attempt is made.
   */
  async request(url: string, init: RequestInit = {}, options: RequestOptions = {}): Promise<HttpAnswer> {
    const attempts = (options.maxRetries ?? this.options.maxRetries) + 1;

    for (let attempt = 1; ; attempt++) {
      const startedAt = performance.now();
      let response: HttpAnswer | undefined;
      let failure: HttpRequestError | undefined;

      try {
        response = await this.semaphore.run(() => this.attempt(url, init));
      } catch (error) {
        const kind = error instanceof DOMException && error.name === "TimeoutError" ? "timeout" : "network";
        failure = new HttpRequestError(kind, url, attempt, { cause: error });
      }

      const durationMs = Math.round(performance.now() - startedAt);
      const outcome = failure ? failure.kind : String(response!.status);
      this.options.onAttempt?.({ upstream: this.options.name, outcome, durationMs });

      const retryable = failure !== undefined || response!.status === 429 || response!.status >= 500;
      if (!retryable || attempt >= attempts || init.signal?.aborted) {
        if (failure) throw failure;
        return response!;
      }

      const delayMs = this.retryDelayMs(attempt, response);
      this.options.logger.warn(
        { upstream: this.options.name, url, attempt, outcome, durationMs, delayMs },
        "upstream.retry",
      );
      await sleep(delayMs, init.signal);
      if (init.signal?.aborted) {
        if (failure) throw failure;
        return response!;
      }
    }
  }

  private async attempt(url: string, init: RequestInit): Promise<HttpAnswer> {
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(this.options.timeoutMs)])
      : AbortSignal.timeout(this.options.timeoutMs);
    // Bun's fetch takes `proxy` as an extension of RequestInit.
    const proxied = this.options.proxyUrl ? { proxy: this.options.proxyUrl } : {};
    const response = await fetch(url, { ...init, ...proxied, signal } as RequestInit);
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  private retryDelayMs(attempt: number, response: HttpAnswer | undefined): number {
    const retryAfter = response?.headers.get("retry-after");
    if (retryAfter) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, this.maxDelayMs);
    }
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(Math.random() * ceiling);
  }
}
