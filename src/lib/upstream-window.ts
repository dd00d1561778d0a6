import type { Clock } from "./time";

/** Attempts and failures of one upstream over the last hour, in one-minute slots. */
export class UpstreamWindow {
  private readonly slots = new Map<number, { attempts: number; errors: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMinutes = 60,
  ) {}

  /**
   * Records one attempt as `HttpClient`'s `onAttempt` reports it. A failure is a network error,
   * a timeout, 429 or a 5xx; 404 is an answer (the product does not exist), not a failure.
   */
  readonly record = (event: { outcome: string }): void => {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    const slot = this.slots.get(minute) ?? { attempts: 0, errors: 0 };
    slot.attempts += 1;
    if (isFailure(event.outcome)) slot.errors += 1;
    this.slots.set(minute, slot);
    this.prune(minute);
  };

  /** Totals over the window; `errorRate` is null before the first attempt. */
  read(): { attempts: number; errors: number; errorRate: number | null; windowMinutes: number } {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    this.prune(minute);
    let attempts = 0;
    let errors = 0;
    for (const slot of this.slots.values()) {
      attempts += slot.attempts;
      errors += slot.errors;
    }
    const errorRate = attempts === 0 ? null : Math.round((errors / attempts) * 10_000) / 10_000;
    return { attempts, errors, errorRate, windowMinutes: this.windowMinutes };
  }

  private prune(currentMinute: number): void {
    for (const minute of this.slots.keys()) {
      if (minute <= currentMinute - this.windowMinutes) this.slots.delete(minute);
    }
  }
}

function isFailure(outcome: string): boolean {
  if (outcome === "network" || outcome === "timeout") return true;
  const status = Number(outcome);
  return status === 429 || status >= 500;
}
