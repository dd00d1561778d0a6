import { and, count, desc, eq, ne } from "drizzle-orm";
import type { Database } from "../db/client";
import { jobRuns, type JobRunOutcome } from "../db/schema";

export type JobRunRow = typeof jobRuns.$inferSelect;
export type JobCounts = Record<string, number>;

/** Reads and writes `job_runs`, the record of every run of every job. */
export class JobRunStore {
  constructor(private readonly db: Database) {}

  async start(run: { job: string; instanceId: string; trigger: "schedule" | "manual"; triggeredBy: string | null; startedAt: Date }): Promise<JobRunRow> {
    const [row] = await this.db.insert(jobRuns).values(run).returning();
    return row;
  }

  async finish(id: number, result: { outcome: JobRunOutcome; finishedAt: Date; counts: JobCounts; error: string | null }): Promise<JobRunRow> {
    const [row] = await this.db.update(jobRuns).set(result).where(eq(jobRuns.id, id)).returning();
    return row;
  }

  async saveCounts(id: number, counts: JobCounts): Promise<void> {
    await this.db.update(jobRuns).set({ counts }).where(eq(jobRuns.id, id));
  }

  async saveResumeState(id: number, resumeState: Record<string, unknown>): Promise<void> {
    await this.db.update(jobRuns).set({ resumeState }).where(eq(jobRuns.id, id));
  }

  /**
   * Marks the job's runs still shown as running, other than `exceptId`, as interrupted. Called
   * by the lease holder, so those runs belong to an instance that stopped renewing its lease.
   */
  async closeAbandoned(job: string, exceptId: number, at: Date): Promise<number> {
    const closed = await this.db
      .update(jobRuns)
      .set({ outcome: "interrupted", finishedAt: at, error: "The instance running it stopped before the run ended" })
      .where(and(eq(jobRuns.job, job), eq(jobRuns.outcome, "running"), ne(jobRuns.id, exceptId)))
      .returning({ id: jobRuns.id });
    return closed.length;
  }

  /** The job's newest run before `beforeId`, or undefined for its first run. */
  async previous(job: string, beforeId: number): Promise<JobRunRow | undefined> {
    const [row] = await this.db
      .select()
      .from(jobRuns)
      .where(and(eq(jobRuns.job, job), ne(jobRuns.id, beforeId)))
      .orderBy(desc(jobRuns.startedAt), desc(jobRuns.id))
      .limit(1);
    return row;
  }

  /** The newest run of each job that has one. */
  async latestByJob(): Promise<Map<string, JobRunRow>> {
    const rows = await this.db
      .selectDistinctOn([jobRuns.job])
      .from(jobRuns)
      .orderBy(jobRuns.job, desc(jobRuns.startedAt), desc(jobRuns.id));
    return new Map(rows.map((row) => [row.job, row]));
  }

  /** Runs newest first, optionally of one job. */
  async list(filter: { job?: string; limit: number; offset: number }): Promise<{ total: number; items: JobRunRow[] }> {
    const where = filter.job ? eq(jobRuns.job, filter.job) : undefined;
    const [{ total }] = await this.db.select({ total: count() }).from(jobRuns).where(where);
    const items = await this.db
      .select()
      .from(jobRuns)
      .where(where)
      .orderBy(desc(jobRuns.startedAt), desc(jobRuns.id))
      .limit(filter.limit)
      .offset(filter.offset);
    return { total, items };
  }

  async get(id: number): Promise<JobRunRow | undefined> {
    const [row] = await this.db.select().from(jobRuns).where(eq(jobRuns.id, id));
    return row;
  }
}
