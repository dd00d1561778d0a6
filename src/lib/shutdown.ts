import type { Logger } from "./logger";

/** One part of the process to stop, such as the HTTP server or the database. */
export interface ShutdownStep {
  name: string;
  /** Stops the part; resolves when it has stopped. */
  run(): Promise<unknown>;
  /** Cuts the step short once its time is up, such as closing connections with requests still open. */
  force?(): unknown;
}

export interface ShutdownPlan {
  /** Run together first: stop taking new work and let the work in progress finish. */
  drain: ShutdownStep[];
  /** Run one after another once draining has ended: shared resources, the database last. */
  close: ShutdownStep[];
}

export interface ShutdownResult {
  /** True when every step finished in time without an error; the process then exits with 0. */
  completed: boolean;
  timedOut: string[];
  failed: string[];
  durationMs: number;
}

/** Share of the time kept for the close steps, at most `closeReserveMaxMs`. */
const closeReserveShare = 0.2;
const closeReserveMaxMs = 5_000;

/**
 * Runs the drain steps together, then the close steps in order, within `timeoutMs` in all.
 * Draining may use the time but a reserve (a fifth, at most 5 s), so that the database
 * still closes when a request or job does not finish. A step past its time is forced
 * and recorded as timed out, and the steps after it still run.
 */
export async function shutDown(plan: ShutdownPlan, options: { timeoutMs: number; logger: Logger }): Promise<ShutdownResult> {
  const { timeoutMs, logger } = options;
  const startedAt = performance.now();
  const deadline = startedAt + timeoutMs;
  const drainDeadline = deadline - Math.min(closeReserveMaxMs, timeoutMs * closeReserveShare);
  const timedOut: string[] = [];
  const failed: string[] = [];

  const runStep = async (step: ShutdownStep, until: number) => {
    const stepStartedAt = performance.now();
    // A step that throws before returning its promise counts as failed, like one that rejects.
    const outcome = await withDeadline(Promise.resolve().then(() => step.run()), until - stepStartedAt);
    const durationMs = Math.round(performance.now() - stepStartedAt);

    if (outcome.kind === "done") {
      logger.info({ step: step.name, durationMs }, "shutdown.step_finished");
      return;
    }
    if (outcome.kind === "failed") {
      failed.push(step.name);
      logger.error({ err: outcome.error, step: step.name, durationMs }, "shutdown.step_failed");
      return;
    }
    timedOut.push(step.name);
    logger.error({ step: step.name, durationMs }, "shutdown.step_timed_out");
    try {
      await step.force?.();
    } catch (error) {
      logger.error({ err: error, step: step.name }, "shutdown.force_failed");
    }
  };

  await Promise.all(plan.drain.map((step) => runStep(step, drainDeadline)));
  for (const step of plan.close) await runStep(step, deadline);

  return { completed: timedOut.length === 0 && failed.length === 0, timedOut, failed, durationMs: Math.round(performance.now() - startedAt) };
}

type Outcome = { kind: "done" } | { kind: "failed"; error: unknown } | { kind: "timed_out" };

function withDeadline(work: Promise<unknown>, remainingMs: number): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: "timed_out" }), Math.max(0, remainingMs));
  });
  const finished = work.then(
    (): Outcome => ({ kind: "done" }),
    (error: unknown): Outcome => ({ kind: "failed", error }),
  );
  return Promise.race([finished, expired]).finally(() => clearTimeout(timer));
}
