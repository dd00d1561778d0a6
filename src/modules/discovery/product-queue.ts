/**
 * The products a scan still has to fetch, filled by the listing while workers take from it, so
 * fetching starts with the first listing page. It keeps each product once and at most `limit`.
 */
export class ProductQueue {
  private readonly listed: number[] = [];
  private readonly seen = new Set<number>();
  private readonly done: Set<number>;
  private readonly pending: number[] = [];
  private readonly waiters: Array<(productId: number | undefined) => void> = [];
  private closed = false;

  /** `done` are products an earlier attempt already fetched or gave up on; they count as listed but are not handed out. */
  constructor(
    private readonly limit: number,
    done: Iterable<number> = [],
  ) {
    this.done = new Set(done);
  }

  /** Products listed so far, including done ones. */
  get listedCount(): number {
    return this.listed.length;
  }

  listedIds(): number[] {
    return [...this.listed];
  }

  /** Adds products in listing order, skipping repeats and anything past the limit or after close. */
  push(productIds: Iterable<number>): void {
    for (const productId of productIds) {
      if (this.closed || this.listed.length >= this.limit) return;
      if (this.seen.has(productId)) continue;

      this.seen.add(productId);
      this.listed.push(productId);
      if (this.done.has(productId)) continue;

      const waiter = this.waiters.shift();
      if (waiter) waiter(productId);
      else this.pending.push(productId);
    }
  }

  /** Returns the next product, waiting for the listing when none is pending; undefined once closed and empty. */
  take(): Promise<number | undefined> {
    const next = this.pending.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the listing: waiting takers get undefined, and pending products are still handed out. */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}
