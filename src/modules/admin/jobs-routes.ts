import { Elysia } from "elysia";
import type { Database } from "../../db/client";
import type { JobName } from "../../jobs/config";
import type { Scheduler } from "../../jobs/scheduler";
import { cleanupSnapshots } from "../../jobs/snapshot-cleanup";
import { dedupeSnapshots } from "../../jobs/snapshot-dedupe";
import { badRequest, forbidden } from "../../lib/errors";
import { errorEnvelope } from "../../lib/http";
import type { AuthService } from "./auth-service";
import {
  jobListView,
  jobNameParams,
  jobRunListView,
  jobRunsQuery,
  jobRunView,
  maintenanceBody,
  maintenanceView,
  toJobRunView,
  toJobView,
} from "./jobs-model";
import { requireRole } from "./require-role";

const secured = { security: [{ bearer: [] }] };
const adminErrors = { 400: errorEnvelope, 401: errorEnvelope, 403: errorEnvelope, 404: errorEnvelope, 409: errorEnvelope, 422: errorEnvelope, 429: errorEnvelope };

export interface JobsRoutesDeps {
  auth: AuthService;
  scheduler: Scheduler;
  db: Database;
}

/**
 * Scheduled jobs and snapshot maintenance under /api/v1/admin. SUPER_ADMIN may do everything;
 * MODERATOR may read and ask for dry runs.
 */
export function jobsRoutes(deps: JobsRoutesDeps) {
  return new Elysia({ prefix: "/api/v1/admin", tags: ["admin"] })
    .use(requireRole(deps.auth, "SUPER_ADMIN", "MODERATOR"))
    .get("/jobs", async () => ({ jobs: (await deps.scheduler.list()).map(toJobView) }), {
      response: { 200: jobListView, ...adminErrors },
      detail: { summary: "Every job with its schedule, next run, whether it runs now and its last run", ...secured },
    })
    .get(
      "/jobs/runs",
      async ({ query }) => {
        if (query.job !== undefined && !deps.scheduler.has(query.job)) throw badRequest("JOB_NOT_FOUND", { job: query.job });
        const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
        const { total, items } = await deps.scheduler.runs.list({ job: query.job, ...page });
        return { total, ...page, items: items.map(toJobRunView) };
      },
      {
        query: jobRunsQuery,
        response: { 200: jobRunListView, ...adminErrors },
        detail: { summary: "Job runs, newest first, optionally of one job", ...secured },
      },
    )
    .post(
      "/snapshots/cleanup",
      async ({ body, auth }) => runMaintenance(deps, "snapshot-cleanup", body.dry_run ?? false, auth),
      {
        body: maintenanceBody,
        response: { 200: maintenanceView, ...adminErrors },
        detail: {
          summary: "Clear estimated weekly figures above 5,000 a week and score those snapshots again; dry_run reports without changing",
          ...secured,
        },
      },
    )
    .post(
      "/snapshots/dedupe",
      async ({ body, auth }) => runMaintenance(deps, "snapshot-dedupe", body.dry_run ?? false, auth),
      {
        body: maintenanceBody,
        response: { 200: maintenanceView, ...adminErrors },
        detail: {
          summary: "Merge staged snapshot history into one snapshot per product per Tashkent day; dry_run reports without changing",
          ...secured,
        },
      },
    )
    .use(requireRole(deps.auth, "SUPER_ADMIN"))
    .post(
      "/jobs/:name/run",
      async ({ params, auth, set }) => {
        const run = await deps.scheduler.trigger(params.name, { actorUserId: auth.userId });
        set.status = 202;
        return toJobRunView(run);
      },
      {
        params: jobNameParams,
        response: { 202: jobRunView, ...adminErrors },
        detail: { summary: "Start a job now; 409 when it is already running on any instance", ...secured },
      },
    );
}

/**
 * A dry run reads only, so a moderator may ask for one. A real run goes through the scheduler
 * as a manual run of the job, so it takes the job's lease, is recorded and audited, and
 * returns 409 while the nightly run is under way.
 */
async function runMaintenance(
  deps: JobsRoutesDeps,
  job: Extract<JobName, "snapshot-cleanup" | "snapshot-dedupe">,
  dryRun: boolean,
  auth: { userId: string; role: string },
) {
  if (dryRun) {
    const counts =
      job === "snapshot-cleanup" ? await cleanupSnapshots(deps.db, { dryRun: true }) : await dedupeSnapshots(deps.db, { dryRun: true });
    return { dry_run: true, counts, run_id: null };
  }

  if (auth.role !== "SUPER_ADMIN") throw forbidden("FORBIDDEN", { required_roles: ["SUPER_ADMIN"], dry_run: false });
  const run = await deps.scheduler.trigger(job, { actorUserId: auth.userId, wait: true });
  if (run.outcome === "failed") throw new Error(`${job} failed: ${run.error}`);
  return { dry_run: false, counts: run.counts, run_id: run.id };
}
