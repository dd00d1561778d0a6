import { t } from "elysia";
import type { JobRunRow } from "../../jobs/job-runs";
import type { JobStatus } from "../../jobs/scheduler";

const nullableDateTime = t.Union([t.String({ format: "date-time" }), t.Null()]);

export const jobRunView = t.Object({
  id: t.Integer(),
  job: t.String(),
  instance_id: t.String({ description: "The service instance that ran it" }),
  trigger: t.Union([t.Literal("schedule"), t.Literal("manual")]),
  triggered_by: t.Union([t.String({ format: "uuid" }), t.Null()]),
  started_at: t.String({ format: "date-time" }),
  finished_at: nullableDateTime,
  outcome: t.Union([t.Literal("running"), t.Literal("succeeded"), t.Literal("failed"), t.Literal("interrupted")]),
  counts: t.Record(t.String(), t.Number(), { description: "What the run did, such as refreshed and failed products" }),
  error: t.Union([t.String(), t.Null()]),
});

export const jobView = t.Object({
  name: t.String(),
  description: t.String(),
  schedule: t.Union([t.String({ description: "Cron expression in Asia/Tashkent" }), t.Null()], {
    description: "Null when the job is switched off and runs only when triggered",
  }),
  next_run_at: nullableDateTime,
  running: t.Boolean({ description: "A run is under way on this or another instance" }),
  last_run: t.Union([jobRunView, t.Null()]),
});

export const jobListView = t.Object({ jobs: t.Array(jobView) });

export const jobRunListView = t.Object({
  total: t.Integer(),
  limit: t.Integer(),
  offset: t.Integer(),
  items: t.Array(jobRunView),
});

export const jobRunsQuery = t.Object({
  job: t.Optional(t.String({ minLength: 1, maxLength: 64, description: "Only runs of this job" })),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

export const jobNameParams = t.Object({ name: t.String({ minLength: 1, maxLength: 64 }) });

export const maintenanceBody = t.Object({
  dry_run: t.Optional(t.Boolean({ default: false, description: "Report what would change without changing it" })),
});

export const maintenanceView = t.Object({
  dry_run: t.Boolean(),
  counts: t.Record(t.String(), t.Number()),
  run_id: t.Union([t.Integer(), t.Null()], { description: "The job run that made the changes; null for a dry run" }),
});

export function toJobRunView(run: JobRunRow) {
  return {
    id: run.id,
    job: run.job,
    instance_id: run.instanceId,
    trigger: run.trigger,
    triggered_by: run.triggeredBy,
    started_at: run.startedAt.toISOString(),
    finished_at: run.finishedAt?.toISOString() ?? null,
    outcome: run.outcome,
    counts: run.counts,
    error: run.error,
  };
}

export function toJobView(job: JobStatus) {
  return {
    name: job.name,
    description: job.description,
    schedule: job.schedule,
    next_run_at: job.nextRunAt?.toISOString() ?? null,
    running: job.running,
    last_run: job.lastRun ? toJobRunView(job.lastRun) : null,
  };
}
