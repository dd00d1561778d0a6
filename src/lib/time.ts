/** Tashkent is UTC+5 all year (Uzbekistan has no daylight saving time). */
export const tashkentOffsetMs = 5 * 60 * 60 * 1000;

export const dayMs = 24 * 60 * 60 * 1000;

/** The source of "now", so tests can move time instead of waiting. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where a test puts it. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

/** Returns the Tashkent calendar day of an instant as `YYYY-MM-DD`, the form DATE columns take. */
export function tashkentDate(instant: Date): string {
  return new Date(instant.getTime() + tashkentOffsetMs).toISOString().slice(0, 10);
}

/** Returns the `YYYY-MM-DD` day `days` calendar days after `date` (negative goes back). */
export function addDays(date: string, days: number): string {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  return new Date(midnight + days * dayMs).toISOString().slice(0, 10);
}

/** Returns the instant the Tashkent calendar month of `instant` began. */
export function tashkentMonthStart(instant: Date): Date {
  const month = tashkentDate(instant).slice(0, 7);
  return new Date(Date.parse(`${month}-01T00:00:00Z`) - tashkentOffsetMs);
}
