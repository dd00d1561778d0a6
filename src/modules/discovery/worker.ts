import type { DiscoveryRunEnded } from "../../jobs/refresh-events";
import { claimRun, failExhaustedRuns, type RunRow } from "./repository";
import { RunScan, ScanStopped, type ScanDeps } from "./scan";

export interface DiscoveryWorkerDeps extends ScanDeps {
  /** Names this worker in `discovery_runs.worker_id`; unique per running instance. */
  workerId: string;
  events: { emitDiscoveryRunEnded(event: DiscoveryRunEnded): Promise<void> };
}

/**
 * Runs discovery scans inside the service, one at a time per instance. Runs are rows: a worker
 * claims one with `FOR UPDATE SKIP LOCKED`, so instances sharing a database share the work, and a
 * run whose worker stops sending heartbeats is taken over until it has used DISCOVERY_MAX_ATTEMPTS.
 */
export class DiscoveryWorker {
  private current: { runId: string; controller: AbortController } | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly deps: DiscoveryWorkerDeps) {}

  get workerId(): string {
    return this.deps.workerId;
  }

  /** Starts polling for runs. */
  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.loop = this.pollLoop();
    this.deps.logger.info({ workerId: this.workerId }, "discovery.worker_started");
  }

  /**
   * Stops claiming runs. A scan under way stops at once: requests to Uzum under way are dropped,
   * products already fetched are stored, and the run goes back to PENDING with its progress for the next worker.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.current?.controller.abort(new ScanStopped("shutdown"));
    this.wakeUp?.();
    await this.loop;
    this.loop = undefined;
    this.deps.logger.info({ workerId: this.workerId }, "discovery.worker_stopped");
  }

  /** Ends the poll wait, so a run created just now starts without waiting for the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops the scan of `runId` when this worker is running it; other instances notice at their next heartbeat. */
  cancelLocal(runId: string): boolean {
    if (this.current?.runId !== runId) return false;
    this.current.controller.abort(new ScanStopped("cancelled"));
    return true;
  }

  /**
   * Fails stale runs that have no attempts left, then claims one run and scans it to its end.
   * Returns whether a run was claimed.
   */
  async processNext(): Promise<boolean> {
    const { db, clock, config, logger } = this.deps;
    const now = clock.now();
    const staleBefore = new Date(now.getTime() - config.staleAfterMs);

    for (const run of await failExhaustedRuns(db, now, staleBefore, config.maxAttempts)) {
      logger.warn({ runId: run.id, attempts: run.attempts, error: run.error }, "discovery.run_failed");
      await this.emitEnded(run);
    }

    const run = await claimRun(db, this.workerId, now, staleBefore, config.maxAttempts);
    if (!run) return false;

    const resumed = run.attempts > 1;
    logger.info({ runId: run.id, categoryId: run.categoryId, attempt: run.attempts, resumed, workerId: this.workerId }, "discovery.run_claimed");

    const controller = new AbortController();
    this.current = { runId: run.id, controller };
    try {
      const result = await new RunScan(this.deps, run, this.workerId, controller).execute();
      if (result.outcome !== "stopped") await this.emitEnded(result.run);
    } finally {
      this.current = undefined;
    }
    return true;
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopping) {
      let claimed = false;
      try {
        claimed = await this.processNext();
      } catch (error) {
        // A run left RUNNING by this failure goes stale and is resumed by the next claim.
        this.deps.logger.error({ err: error, workerId: this.workerId }, "discovery.worker_error");
      }
      if (!claimed && !this.stopping) await this.idle(this.deps.config.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private async emitEnded(run: RunRow): Promise<void> {
    if (run.status !== "FINISHED" && run.status !== "FAILED") return;
    await this.deps.events.emitDiscoveryRunEnded({
      runId: run.id,
      accountId: run.accountId,
      categoryId: run.categoryId,
      categoryName: run.categoryName,
      status: run.status,
      error: run.error,
      errorCode: run.errorCode,
    });
  }
}
