import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { rateLimitWindows } from "../db/schema";
import { limitExceeded, type LimitRule } from "./rate-limit";
import type { Clock } from "./time";

/** One counted request, as `SharedRateLimiter.hit` returns it. */
export interface SharedLimitReceipt {
  bucket: string;
  key: string;
  windowStartedAt: Date;
}

/** Windows older than this are deleted now and then; no rule spans more than a day. */
const keepWindowsMs = 24 * 60 * 60 * 1000;
/** Hits between two clean-ups of old windows, in this process. */
const hitsPerCleanup = 1_000;

/**
 * Fixed-window counters in the database, so every instance on it counts against the same limit.
 * Each hit is one upsert that restarts the window once it has ended, so concurrent hits from
 * several instances are counted exactly. Windows are read from the injected clock.
 */
export class SharedRateLimiter {
  private hitsSinceCleanup = 0;

  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /**
   * Counts one request of `key` against `rule`; throws RateLimitedError when it is over the limit.
   * Returns a receipt that `refund` takes to take the request back out of the count.
   */
  async hit(bucket: string, key: string, rule: LimitRule): Promise<SharedLimitReceipt> {
    const now = this.deps.clock.now();
    // Raw SQL parameters go to the driver as they are, so instants are sent as ISO text with a cast.
    const nowValue = sql`${now.toISOString()}::timestamptz`;
    const windowEndedBefore = sql`${new Date(now.getTime() - rule.windowMs).toISOString()}::timestamptz`;
    const [row] = await this.deps.db
      .insert(rateLimitWindows)
      .values({ bucket, key, windowStartedAt: now, count: 1 })
      .onConflictDoUpdate({
        target: [rateLimitWindows.bucket, rateLimitWindows.key],
        set: {
          windowStartedAt: sql`CASE WHEN ${rateLimitWindows.windowStartedAt} <= ${windowEndedBefore} THEN ${nowValue} ELSE ${rateLimitWindows.windowStartedAt} END`,
          count: sql`CASE WHEN ${rateLimitWindows.windowStartedAt} <= ${windowEndedBefore} THEN 1 ELSE ${rateLimitWindows.count} + 1 END`,
        },
      })
      .returning({ windowStartedAt: rateLimitWindows.windowStartedAt, count: rateLimitWindows.count });

    if (++this.hitsSinceCleanup >= hitsPerCleanup) {
      this.hitsSinceCleanup = 0;
      await this.deps.db.delete(rateLimitWindows).where(lt(rateLimitWindows.windowStartedAt, new Date(now.getTime() - keepWindowsMs)));
    }

    if (row.count > rule.limit) throw limitExceeded(bucket, rule, row.windowStartedAt.getTime(), now.getTime());
    return { bucket, key, windowStartedAt: row.windowStartedAt };
  }

  /** Takes a counted request back out, for one that turned out to cost nothing; a window that has since restarted is left alone. */
  async refund(receipt: SharedLimitReceipt): Promise<void> {
    await this.deps.db
      .update(rateLimitWindows)
      .set({ count: sql`GREATEST(${rateLimitWindows.count} - 1, 0)` })
      .where(
        and(
          eq(rateLimitWindows.bucket, receipt.bucket),
          eq(rateLimitWindows.key, receipt.key),
          eq(rateLimitWindows.windowStartedAt, receipt.windowStartedAt),
        ),
      );
  }
}
