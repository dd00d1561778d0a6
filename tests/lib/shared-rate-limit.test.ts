import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { DatabaseHandle } from "../../src/db/client";
import { RateLimitedError } from "../../src/lib/rate-limit";
import { SharedRateLimiter } from "../../src/lib/shared-rate-limit";
import { FakeClock } from "../../src/lib/time";
import { openTestDatabase, testDatabaseKinds } from "../helpers/database";

const rule = { limit: 5, windowMs: 15 * 60 * 1000 };

/** Hits the limiter and returns "ok", or "limited" for a RateLimitedError. */
async function attempt(limiter: SharedRateLimiter, key: string): Promise<"ok" | "limited"> {
  try {
    await limiter.hit("login", key, rule);
    return "ok";
  } catch (error) {
    if (error instanceof RateLimitedError) return "limited";
    throw error;
  }
}

for (const kind of testDatabaseKinds()) {
  describe(`SharedRateLimiter (${kind})`, () => {
    let database: DatabaseHandle;
    const clock = new FakeClock("2026-12-04T07:00:00Z");
    // Two instances of the service on one database.
    let first: SharedRateLimiter;
    let second: SharedRateLimiter;

    beforeAll(async () => {
      database = await openTestDatabase(kind);
      first = new SharedRateLimiter({ db: database.db, clock });
      second = new SharedRateLimiter({ db: database.db, clock });
    }, 60_000);

    afterAll(() => database.close());

    test("instances share one count", async () => {
      const results = [];
      for (let index = 0; index < 6; index++) results.push(await attempt(index % 2 === 0 ? first : second, "victim@example.uz|10.0.0.1"));

      expect(results).toEqual(["ok", "ok", "ok", "ok", "ok", "limited"]);
    });

    test("concurrent hits pass the limit exactly", async () => {
      const results = await Promise.all(Array.from({ length: 12 }, (_, index) => attempt(index % 2 === 0 ? first : second, "burst|10.0.0.2")));

      expect(results.filter((result) => result === "ok")).toHaveLength(5);
    });

    test("the window restarts and a refund gives a call back", async () => {
      const key = "refund|10.0.0.3";
      const receipts = [];
      for (let index = 0; index < 5; index++) receipts.push(await first.hit("login", key, rule));
      expect(await attempt(second, key)).toBe("limited");

      clock.advance(rule.windowMs);
      const fresh = await first.hit("login", key, rule);
      // A receipt from the ended window changes nothing in the new one.
      await second.refund(receipts[0]);
      for (let index = 0; index < 4; index++) await second.hit("login", key, rule);

      // The new window is full; taking one call back lets exactly one more in.
      await first.refund(fresh);
      expect(await attempt(second, key)).toBe("ok");
      expect(await attempt(first, key)).toBe("limited");
    });
  });
}
