import { Cron } from "croner";
import type { Database } from "../db/client";
import { conflict, notFound } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { Clock } from "../lib/time";
import { jobTimezone, type JobName } from "./config";
import { JobRunStore, type JobCounts, type JobRunRow } from "./job-runs";
import { JobLeases } from "./lease";

/** The context the scheduler passes to a job's run function. */
export interface JobContext {
  runId: number;
  /** Aborted when the service stops or the lease is lost: finish the current item and return. */
  signal: AbortSignal;
  trigger: "schedule" | "manual";
  /** The user who started a manual run; null for a scheduled one. */
  actorUserId: string | null;
  /** The job's run before this one, for a job that resumes what an interrupted run left. */
  previousRun: JobRunRow | undefined;
  /** Stores state a later run needs to resume this one. */
  saveResumeState(state: Record<string, unknown>): Promise<void>;
  /** Publishes counts so far; written to `job_runs` at most every few seconds. */
  reportProgress(counts: JobCounts): void;
}

export interface JobDefinition {
  name: JobName;
  description: string;
  /** Returns the run's counts. Returning after `signal` aborted records the run as interrupted. */
  run(context: JobContext): Promise<JobCounts>;
}

export interface SchedulerOptions {
  db: Database;
  clock: Clock;
  logger: Logger;
  instanceId: string;
  leaseTtlSeconds: number;
  /** Cron expression per job; a job without one (or with null) runs only when triggered. */
  schedules: Partial<Record<JobName, string | null>>;
  jobs: JobDefinition[];
  /** Called once per finished run, for metrics. */
  onRunFinished?: (run: { job: JobName; outcome: string; durationMs: number }) => void;
}

export interface JobStatus {
  name: JobName;
  description: string;
  schedule: string | null;
  nextRunAt: Date | null;
  /** Running here or on another instance holding an unexpired lease. */
  running: boolean;
  lastRun: JobRunRow | undefined;
}

interface ActiveRun {
  controller: AbortController;
  /** Settles when the run has ended, or at once when it never started. */
  settled: Promise<unknown>;
}

const progressIntervalMs = 5_000;

/**
 * Runs jobs on cron schedules in Asia/Tashkent, at most one run of a job at a time across all
 * instances sharing the database. Every run is recorded in `job_runs`. An error thrown by a
 * job is logged and recorded as the run's outcome instead of propagating to the caller.
 */
export class Scheduler {
  readonly runs: JobRunStore;
  private readonly leases: JobLeases;
  private readonly jobs: Map<JobName, JobDefinition>;
  private readonly crons = new Map<JobName, Cron>();
  private readonly active = new Map<JobName, ActiveRun>();
  private stopped = false;

  constructor(private readonly options: SchedulerOptions) {
    this.runs = new JobRunStore(options.db);
    this.leases = new JobLeases(options.db, options.clock, options.instanceId, options.leaseTtlSeconds * 1000);
    this.jobs = new Map(options.jobs.map((job) => [job.name, job]));
  }

  /**
   * Starts the cron timers of every job that has a schedule, and resumes at once any scheduled
   * job whose last run was cut off, so a restart does not leave its work until the next tick.
   */
  start(): void {
    for (const job of this.jobs.values()) {
      const schedule = this.options.schedules[job.name];
      if (!schedule) continue;

      const cron = new Cron(
        schedule,
        {
          name: job.name,
          timezone: jobTimezone,
          protect: true,
          catch: (error) => this.options.logger.error({ err: error, job: job.name }, "job.tick_failed"),
        },
        async () => {
          await this.tick(job.name);
        },
      );
      this.crons.set(job.name, cron);
    }
    this.options.logger.info(
      { instanceId: this.options.instanceId, jobs: [...this.crons.keys()] },
      "scheduler.started",
    );
    this.resumeInterrupted().catch((error) => this.options.logger.error({ err: error }, "scheduler.resume_failed"));
  }

  /**
   * Runs each scheduled job whose newest run was interrupted or abandoned by a stopped instance.
   * The check is repeated under the job's lease, so of several instances starting together only
   * one resumes it. Returns the runs started, each settled.
   */
  async resumeInterrupted(): Promise<JobRunRow[]> {
    const latest = await this.runs.latestByJob();
    const resumed: JobRunRow[] = [];
    for (const job of this.jobs.values()) {
      if (!this.options.schedules[job.name]) continue;
      const outcome = latest.get(job.name)?.outcome;
      if (outcome !== "interrupted" && outcome !== "running") continue;

      const started = await this.begin(job.name, { trigger: "schedule", actorUserId: null, onlyAfterInterruption: true });
      if (started) resumed.push(await started.done);
    }
    return resumed;
  }

  /**
   * Runs the job for a scheduled tick unless it is already running here or another instance
   * holds its lease. Returns the finished run, or undefined when the tick was skipped.
   */
  async tick(name: JobName): Promise<JobRunRow | undefined> {
    const started = await this.begin(name, { trigger: "schedule", actorUserId: null, tickAt: this.scheduledStart(name) });
    if (!started) {
      this.options.logger.debug({ job: name }, "job.tick_skipped");
      return undefined;
    }
    return started.done;
  }

  /**
   * Starts the job now on behalf of a user. Throws 404 JOB_NOT_FOUND for an unknown name and
   * 409 JOB_ALREADY_RUNNING when a run is under way anywhere. Resolves once the run is
   * recorded, or, with `wait`, once it has finished.
   */
  async trigger(name: string, options: { actorUserId: string; wait?: boolean }): Promise<JobRunRow> {
    if (!this.jobs.has(name as JobName)) throw notFound("JOB_NOT_FOUND", { job: name });

    const started = await this.begin(name as JobName, { trigger: "manual", actorUserId: options.actorUserId });
    if (!started) throw conflict("JOB_ALREADY_RUNNING", { job: name });
    if (options.wait) return started.done;
    return started.row;
  }

  /** Lists every registered job with its schedule, next run, whether it runs now and its last run. */
  async list(): Promise<JobStatus[]> {
    const [leases, latest] = await Promise.all([this.leases.active(), this.runs.latestByJob()]);
    return [...this.jobs.values()].map((job) => ({
      name: job.name,
      description: job.description,
      schedule: this.options.schedules[job.name] ?? null,
      nextRunAt: this.nextRunAt(job.name),
      running: this.active.has(job.name) || leases.has(job.name),
      lastRun: latest.get(job.name),
    }));
  }

  /** Computes the next scheduled start after `from` (default: now); null when the job has no schedule. */
  nextRunAt(name: JobName, from: Date = this.options.clock.now()): Date | null {
    const schedule = this.options.schedules[name];
    if (!schedule) return null;
    return new Cron(schedule, { paused: true, timezone: jobTimezone }).nextRun(from);
  }

  /** Finds the newest scheduled start at or before now, which names the tick being run. */
  private scheduledStart(name: JobName): Date | undefined {
    const schedule = this.options.schedules[name];
    if (!schedule) return undefined;
    // One second of slack, because croner may call a little before the whole second.
    const reference = new Date(this.options.clock.now().getTime() + 1000);
    return new Cron(schedule, { paused: true, timezone: jobTimezone }).previousRuns(1, reference)[0];
  }

  /** Checks whether the job's newest run was interrupted, or is still marked running though this instance holds its lease. */
  private async lastRunWasCut(name: JobName): Promise<boolean> {
    const outcome = (await this.runs.latestByJob()).get(name)?.outcome;
    return outcome === "interrupted" || outcome === "running";
  }

  has(name: string): name is JobName {
    return this.jobs.has(name as JobName);
  }

  /**
   * Stops new ticks, signals running jobs to stop after their current items and waits for them,
   * so their runs are recorded as interrupted and their leases released.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cron of this.crons.values()) cron.stop();
    this.crons.clear();

    const running = [...this.active.values()];
    for (const run of running) run.controller.abort(new Error("The service is stopping"));
    await Promise.all(running.map((run) => run.settled));
    this.options.logger.info({ interruptedRuns: running.length }, "scheduler.stopped");
  }

  private async begin(
    name: JobName,
    request: { trigger: "schedule" | "manual"; actorUserId: string | null; tickAt?: Date; onlyAfterInterruption?: boolean },
  ): Promise<{ row: JobRunRow; done: Promise<JobRunRow> } | undefined> {
    const job = this.jobs.get(name)!;
    if (this.stopped || this.active.has(name)) return undefined;

    // Claim the slot before the first await, so two calls in this process cannot both pass.
    const controller = new AbortController();
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.active.set(name, { controller, settled });
    const leave = () => {
      this.active.delete(name);
      settle();
    };

    let row: JobRunRow;
    try {
      if (!(await this.leases.acquire(name, request.tickAt))) {
        leave();
        return undefined;
      }
      // stop() ran while the lease was being taken, or another instance already resumed the job.
      if (this.stopped || (request.onlyAfterInterruption && !(await this.lastRunWasCut(name)))) {
        await this.leases.release(name);
        leave();
        return undefined;
      }
      const startedAt = this.options.clock.now();
      row = await this.runs.start({
        job: name,
        instanceId: this.options.instanceId,
        trigger: request.trigger,
        triggeredBy: request.actorUserId,
        startedAt,
      });
      await this.leases.renew(name, row.id);
      const abandoned = await this.runs.closeAbandoned(name, row.id, startedAt);
      if (abandoned > 0) this.options.logger.warn({ job: name, abandoned }, "job.abandoned_runs_closed");
    } catch (error) {
      await this.leases.release(name).catch(() => {});
      leave();
      throw error;
    }

    const done = this.execute(job, row, request.actorUserId, controller).finally(leave);
    return { row, done };
  }

  private async execute(job: JobDefinition, row: JobRunRow, actorUserId: string | null, controller: AbortController): Promise<JobRunRow> {
    const log = this.options.logger.child({ job: job.name, runId: row.id });
    const startedMs = performance.now();
    log.info({ trigger: row.trigger, actorUserId }, "job.started");

    const heartbeat = setInterval(() => void this.renewLease(job.name, controller, log), (this.options.leaseTtlSeconds * 1000) / 3);
    heartbeat.unref?.();

    let lastProgressMs = 0;
    let outcome: "succeeded" | "failed" | "interrupted" = "succeeded";
    let counts: JobCounts = {};
    let error: string | null = null;
    try {
      const context: JobContext = {
        runId: row.id,
        signal: controller.signal,
        trigger: row.trigger,
        actorUserId,
        previousRun: await this.runs.previous(job.name, row.id),
        saveResumeState: (state) => this.runs.saveResumeState(row.id, state),
        reportProgress: (progress) => {
          counts = progress;
          const now = performance.now();
          if (now - lastProgressMs < progressIntervalMs) return;
          lastProgressMs = now;
          this.runs.saveCounts(row.id, progress).catch((cause) => log.warn({ err: cause }, "job.progress_not_saved"));
        },
      };
      counts = await job.run(context);
      if (controller.signal.aborted) outcome = "interrupted";
    } catch (caught) {
      outcome = "failed";
      error = caught instanceof Error ? caught.message : String(caught);
      log.error({ err: caught }, "job.failed");
    } finally {
      clearInterval(heartbeat);
    }

    const finished = await this.runs.finish(row.id, { outcome, finishedAt: this.options.clock.now(), counts, error });
    await this.leases.release(job.name);
    const durationMs = Math.round(performance.now() - startedMs);
    log.info({ outcome, counts, durationMs }, "job.finished");
    this.options.onRunFinished?.({ job: job.name, outcome, durationMs });
    return finished;
  }

  private async renewLease(name: JobName, controller: AbortController, log: Logger): Promise<void> {
    try {
      if (await this.leases.renew(name)) return;
      log.error("job.lease_lost");
      controller.abort(new Error("Another instance took over the job's lease"));
    } catch (error) {
      // The next heartbeat tries again; the lease lasts three heartbeats.
      log.warn({ err: error }, "job.lease_renewal_failed");
    }
  }
}
