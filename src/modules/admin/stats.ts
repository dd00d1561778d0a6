import { and, count, countDistinct, eq, gte, isNull, sql, sum } from "drizzle-orm";
import type { DatabaseHandle } from "../../db/client";
import { extensionStatus } from "../../db/extensions";
import { accounts, aiUsage, productSnapshots, trackedProducts, users } from "../../db/schema";
import type { JobRunStore } from "../../jobs/job-runs";
import type { UpstreamWindow } from "../../lib/upstream-window";
import { tashkentDate, tashkentMonthStart, type Clock } from "../../lib/time";

export interface StatsDeps {
  database: DatabaseHandle;
  clock: Clock;
  jobRuns: JobRunStore;
  uzumAttempts: UpstreamWindow;
}

/** Collects the figures an operator checks first, each counted fresh from the database. */
export async function collectStats(deps: StatsDeps) {
  const db = deps.database.db;
  const now = deps.clock.now();
  const today = tashkentDate(now);

  const [accountCounts] = await db
    .select({
      total: count(),
      suspended: sql<number>`count(*) FILTER (WHERE ${accounts.status} = 'SUSPENDED')::int`,
    })
    .from(accounts);
  const [userCounts] = await db
    .select({ total: count(), active: sql<number>`count(*) FILTER (WHERE ${users.isActive})::int` })
    .from(users);
  const [tracked] = await db
    .select({ periods: count(), products: countDistinct(trackedProducts.productId) })
    .from(trackedProducts)
    .where(isNull(trackedProducts.untrackedAt));
  const [snapshots] = await db.select({ today: count() }).from(productSnapshots).where(eq(productSnapshots.snapshotDate, today));
  const [ai] = await db
    .select({ calls: count(), costUsd: sum(aiUsage.costUsd) })
    .from(aiUsage)
    .where(and(gte(aiUsage.createdAt, tashkentMonthStart(now)), eq(aiUsage.source, "anthropic")));

  const latestRuns = await deps.jobRuns.latestByJob();
  const uzum = deps.uzumAttempts.read();

  return {
    generatedAt: now,
    snapshotDate: today,
    accounts: { total: accountCounts.total, suspended: Number(accountCounts.suspended) },
    users: { total: userCounts.total, active: Number(userCounts.active) },
    trackedProducts: { active: tracked.periods, distinctProducts: tracked.products },
    snapshotsToday: snapshots.today,
    discoveryRuns: await countDiscoveryRuns(deps.database),
    jobs: [...latestRuns.values()].map((run) => ({
      job: run.job,
      outcome: run.outcome,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      error: run.error,
    })),
    uzum,
    aiThisMonth: { providerCalls: ai.calls, costUsd: Number(ai.costUsd ?? 0) },
    extensions: await extensionStatus(deps.database),
  };
}

export type Stats = Awaited<ReturnType<typeof collectStats>>;

/**
 * Counts the rows of `discovery_runs`, or returns null when this build has no such table yet,
 * so the rest of the report still arrives.
 */
async function countDiscoveryRuns(database: DatabaseHandle): Promise<{ total: number } | null> {
  const [exists] = await database.query<{ present: boolean }>(sql`SELECT to_regclass('public.discovery_runs') IS NOT NULL AS present`);
  if (!exists?.present) return null;
  const [row] = await database.query<{ total: number }>(sql`SELECT count(*)::int AS total FROM discovery_runs`);
  return { total: Number(row?.total ?? 0) };
}
