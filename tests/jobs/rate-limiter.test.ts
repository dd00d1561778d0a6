import { describe, expect, test } from "bun:test";
import { RateLimiter } from "../../src/jobs/rate-limiter";

/** Starts `count` waits at once and returns when each one ended, in ms after the first call. */
async function startTogether(limiter: RateLimiter, count: number, signal?: AbortSignal): Promise<number[]> {
  const startedAt = performance.now();
  return Promise.all(Array.from({ length: count }, async () => {
    await limiter.wait(signal);
    return performance.now() - startedAt;
  }));
}

describe("RateLimiter", () => {
  test("spaces concurrent callers one interval apart", async () => {
    // 20 per second is one start every 50 ms.
    const ends = (await startTogether(new RateLimiter(20), 6)).toSorted((a, b) => a - b);

    // The first caller does not wait; its bound stays under one interval on a busy machine.
    expect(ends[0]).toBeLessThan(40);
    // Timers never fire early, so each start comes at least one interval after the one before;
    // 1 ms of slack covers rounding of the clock.
    for (let index = 1; index < ends.length; index++) expect(ends[index]).toBeGreaterThanOrEqual(index * 50 - 1);
  });

  test("keeps the pace across separate bursts", async () => {
    const limiter = new RateLimiter(20);
    await startTogether(limiter, 3);
    // The burst above used the slots up to 100 ms, so the next caller waits for the one after.
    const [next] = await startTogether(limiter, 1);
    expect(next).toBeGreaterThanOrEqual(49);
  });

  test("a rate of 0 never waits", async () => {
    // At 20 per second, 50 callers would take 2.45 s.
    const ends = await startTogether(new RateLimiter(0), 50);
    expect(Math.max(...ends)).toBeLessThan(1_000);
  });

  test("an abort ends the wait early", async () => {
    const controller = new AbortController();
    // One per second: without the abort the third caller would wait two seconds.
    const waiting = startTogether(new RateLimiter(1), 3, controller.signal);
    setTimeout(() => controller.abort(), 30);
    const ends = await waiting;
    expect(Math.max(...ends)).toBeLessThan(1_500);
  });
});
