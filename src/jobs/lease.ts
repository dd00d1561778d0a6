import { and, eq, gt, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { jobLeases } from "../db/schema";
import type { Clock } from "../lib/time";

export type LeaseRow = typeof jobLeases.$inferSelect;

/**
 * One row per job naming the instance allowed to run it. A lease row works the same on
 * PostgreSQL and on PGlite, where an advisory lock held on a reserved connection is not
 * possible because PGlite is a single connection. Expiry is compared with the service clock,
 * so instances must keep their clocks within a small part of the lease time of each other.
 */
export class JobLeases {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly holder: string,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes the job's lease when no instance holds it or the holder let it expire; returns whether
   * it did. With `tickAt`, the scheduled start being run, it also fails when that start or a
   * later one was already claimed, so each tick runs once even when instances' clocks differ.
   */
  async acquire(job: string, tickAt?: Date): Promise<boolean> {
    const now = this.clock.now();
    const lease = { job, holder: this.holder, runId: null, acquiredAt: now, expiresAt: this.expiry(now), lastTickAt: tickAt ?? null };
    const newTick = tickAt ? or(isNull(jobLeases.lastTickAt), lt(jobLeases.lastTickAt, tickAt)) : undefined;
    const taken = await this.db
      .insert(jobLeases)
      .values(lease)
      .onConflictDoUpdate({
        target: jobLeases.job,
        set: {
          holder: lease.holder,
          runId: null,
          acquiredAt: now,
          expiresAt: lease.expiresAt,
          lastTickAt: tickAt ?? sql`${jobLeases.lastTickAt}`,
        },
        setWhere: and(lte(jobLeases.expiresAt, now), newTick),
      })
      .returning({ holder: jobLeases.holder });
    return taken.length === 1;
  }

  /** Extends the lease and records the run it covers; false means another instance took it over. */
  async renew(job: string, runId?: number): Promise<boolean> {
    const renewed = await this.db
      .update(jobLeases)
      .set({ expiresAt: this.expiry(this.clock.now()), ...(runId === undefined ? {} : { runId }) })
      .where(and(eq(jobLeases.job, job), eq(jobLeases.holder, this.holder)))
      .returning({ job: jobLeases.job });
    return renewed.length === 1;
  }

  /** Ends the lease now; the row stays, because it remembers the last tick claimed. */
  async release(job: string): Promise<void> {
    await this.db
      .update(jobLeases)
      .set({ expiresAt: this.clock.now() })
      .where(and(eq(jobLeases.job, job), eq(jobLeases.holder, this.holder)));
  }

  /** Returns the leases not yet expired, keyed by job. */
  async active(): Promise<Map<string, LeaseRow>> {
    const rows = await this.db
      .select()
      .from(jobLeases)
      .where(gt(jobLeases.expiresAt, this.clock.now()));
    return new Map(rows.map((row) => [row.job, row]));
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.ttlMs);
  }
}
