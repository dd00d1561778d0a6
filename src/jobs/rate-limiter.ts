/**
 * Spaces out starts to at most `ratePerSecond` per second; 0 means no limit. Callers that
 * arrive together are given consecutive slots, so the rate holds across concurrent workers.
 */
export class RateLimiter {
  private nextSlotMs = 0;
  private readonly intervalMs: number;

  constructor(ratePerSecond: number) {
    this.intervalMs = ratePerSecond > 0 ? 1000 / ratePerSecond : 0;
  }

  /** Waits for the caller's slot; resolves early when `signal` aborts. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (this.intervalMs === 0) return;

    const now = performance.now();
    const slot = Math.max(now, this.nextSlotMs);
    this.nextSlotMs = slot + this.intervalMs;
    const delayMs = slot - now;
    if (delayMs <= 0 || signal?.aborted) return;

    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delayMs);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
