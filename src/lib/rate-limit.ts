import { Elysia } from "elysia";
import { AppError } from "./errors";
import type { Clock } from "./time";

/** How many requests a key may make in one window. */
export interface LimitRule {
  limit: number;
  windowMs: number;
}

/** A 429, RATE_LIMITED unless a quota names its own code; the error handler copies `retryAfterSeconds` into Retry-After. */
export class RateLimitedError extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    details: Record<string, unknown>,
    code = "RATE_LIMITED",
  ) {
    super(429, code, { ...details, retry_after_seconds: retryAfterSeconds });
    this.name = "RateLimitedError";
  }
}

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed-window counters kept in this process's memory, keyed by bucket and caller.
 * Windows are read from the injected clock, so tests move time instead of waiting.
 *
 * Serves the per-IP limit, which runs on every request and so stays off the database.
 * NOTE: each instance counts on its own, so N instances behind a balancer allow N times the
 * per-IP limit. Login and the expensive routes count in the database (SharedRateLimiter).
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweepAt = 0;

  constructor(
    private readonly clock: Clock,
    /** Largest number of keys kept before expired windows are swept out. */
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one request of `key` against `rule`; throws RateLimitedError when it is over the limit. */
  hit(bucket: string, key: string, rule: LimitRule): void {
    const now = this.clock.now().getTime();
    const id = `${bucket}\u0000${key}`;
    let window = this.windows.get(id);
    if (!window || now - window.startedAt >= rule.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(id, window);
      this.sweep(now, rule.windowMs);
    }

    window.count += 1;
    if (window.count > rule.limit) throw limitExceeded(bucket, rule, window.startedAt, now);
  }

  /** Number of keys being counted, for stats. */
  get size(): number {
    return this.windows.size;
  }

  /** Drops windows older than the longest rule in use once the map grows, so memory stays bounded. */
  private sweep(now: number, windowMs: number): void {
    if (this.windows.size < this.maxKeys || now - this.lastSweepAt < 1000) return;
    this.lastSweepAt = now;
    const longestWindowMs = Math.max(windowMs, 24 * 3600 * 1000);
    for (const [id, window] of this.windows) {
      if (now - window.startedAt >= longestWindowMs) this.windows.delete(id);
    }
  }
}

/** Returns the 429 for a window that started at `windowStartedAtMs` and is full, with Retry-After until it ends. */
export function limitExceeded(bucket: string, rule: LimitRule, windowStartedAtMs: number, nowMs: number): RateLimitedError {
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStartedAtMs + rule.windowMs - nowMs) / 1000));
  return new RateLimitedError(retryAfterSeconds, { bucket, limit: rule.limit, window_seconds: rule.windowMs / 1000 });
}

export interface RequestGuardOptions {
  limiter: RateLimiter;
  /** Requests per minute from one IP address, on every route. */
  perIpPerMinute: number;
  /** Largest request body in bytes, by its Content-Length. */
  maxBodyBytes: number;
  /** Take the client address from X-Forwarded-For, which only a trusted reverse proxy may set. */
  trustProxy: boolean;
}

const clientIps = new WeakMap<Request, string>();

/** Returns the caller's IP address as the request guard recorded it, or `unknown` when the transport gave none. */
export function clientIpOf(request: Request): string {
  return clientIps.get(request) ?? "unknown";
}

/**
 * Runs first on every request: rejects bodies above `maxBodyBytes` by their Content-Length (413),
 * bodies sent without one (411), and callers above `perIpPerMinute` (429), and records the client IP
 * for later per-route limits. Neither body is read, so the server needs no body limit of its own.
 */
export function requestGuard(options: RequestGuardOptions) {
  const perIp: LimitRule = { limit: options.perIpPerMinute, windowMs: 60_000 };

  return new Elysia({ name: "request-guard" }).onRequest(({ request, server }) => {
    const ip = resolveClientIp(request, server?.requestIP(request)?.address, options.trustProxy);
    clientIps.set(request, ip);

    const length = Number(request.headers.get("content-length") ?? 0);
    if (Number.isFinite(length) && length > options.maxBodyBytes) {
      throw new AppError(413, "PAYLOAD_TOO_LARGE", { max_bytes: options.maxBodyBytes });
    }
    // A chunked body's size is known only once it is read, so the size check above needs a Content-Length.
    if (request.headers.has("transfer-encoding")) {
      throw new AppError(411, "LENGTH_REQUIRED", { max_bytes: options.maxBodyBytes });
    }
    options.limiter.hit("ip", ip, perIp);
  });
}

function resolveClientIp(request: Request, socketAddress: string | undefined, trustProxy: boolean): string {
  if (trustProxy) {
    // The proxy appends the address it saw, so the last entry is the one it vouches for.
    const forwarded = request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (forwarded) return forwarded.slice(0, 64);
  }
  return socketAddress ?? "unknown";
}
