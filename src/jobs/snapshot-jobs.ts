import type { Database } from "../db/client";
import type { Clock } from "../lib/time";
import { writeAudit } from "../modules/admin/audit";
import type { JobCounts } from "./job-runs";
import type { JobContext, JobDefinition } from "./scheduler";
import { cleanupSnapshots } from "./snapshot-cleanup";
import { dedupeSnapshots } from "./snapshot-dedupe";

interface SnapshotJobDeps {
  db: Database;
  clock: Clock;
}

export function snapshotDedupeJob(deps: SnapshotJobDeps): JobDefinition {
  return {
    name: "snapshot-dedupe",
    description: "Merge staged snapshot history into one snapshot per product per Tashkent day",
    run: (context) => audited(deps, context, "snapshots.dedupe", () => dedupeSnapshots(deps.db, { dryRun: false, signal: context.signal })),
  };
}

export function snapshotCleanupJob(deps: SnapshotJobDeps): JobDefinition {
  return {
    name: "snapshot-cleanup",
    description: "Clear estimated weekly figures above 5,000 a week and score the affected snapshots again",
    run: (context) => audited(deps, context, "snapshots.cleanup", () => cleanupSnapshots(deps.db, { dryRun: false, signal: context.signal })),
  };
}

/** Runs a maintenance step and records who ran it and what it changed in `audit_log`. */
async function audited(deps: SnapshotJobDeps, context: JobContext, action: string, step: () => Promise<JobCounts>): Promise<JobCounts> {
  const counts = await step();
  await writeAudit(deps.db, {
    accountId: null,
    actorUserId: context.actorUserId,
    action,
    targetType: "snapshots",
    targetId: null,
    before: null,
    after: { counts, jobRunId: context.runId, trigger: context.trigger, interrupted: context.signal.aborted },
    createdAt: deps.clock.now(),
  });
  return counts;
}
