import { and, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { products } from "../db/schema";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { Clock } from "../lib/time";
import { isTrackedByActiveAccount } from "../modules/uzum/repository";
import type { ProductService } from "../modules/uzum/service";
import type { JobCounts } from "./job-runs";
import { RateLimiter } from "./rate-limiter";
import type { JobContext, JobDefinition } from "./scheduler";

export interface RefreshTrackedDeps {
  db: Database;
  products: Pick<ProductService, "analyze">;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  ratePerSecond: number;
  maxAttempts: number;
}

/** Failures logged one by one in a run; the rest only count. */
const loggedFailuresMax = 5;

interface RefreshCounts extends JobCounts {
  candidates: number;
  refreshed: number;
  failed: number;
  notFound: number;
  retries: number;
}

interface WorkItem {
  productId: number;
  attempt: number;
}

/**
 * Re-fetches every product tracked by an active account through `ProductService.analyze`,
 * least recently analysed first.
 *
 * A run covers the products analysed before its cut-off, its start time. A product refreshed
 * by the run moves past the cut-off, so a run that resumes an interrupted one (with that
 * run's cut-off) takes only the products not yet done. A product that fails is tried again
 * after the others, up to `maxAttempts`, and otherwise stays first in line for the next run.
 */
export function refreshTrackedJob(deps: RefreshTrackedDeps): JobDefinition {
  return {
    name: "refresh-tracked",
    description: "Re-fetch every tracked product from Uzum and update today's snapshot",
    run: (context) => refreshTracked(deps, context),
  };
}

export async function refreshTracked(deps: RefreshTrackedDeps, context: JobContext): Promise<RefreshCounts> {
  const cutoff = resumedCutoff(context) ?? deps.clock.now();
  await context.saveResumeState({ cutoff: cutoff.toISOString() });

  const ids = await staleTrackedProductIds(deps.db, cutoff);
  const counts: RefreshCounts = { candidates: ids.length, refreshed: 0, failed: 0, notFound: 0, retries: 0 };
  deps.logger.info({ runId: context.runId, candidates: ids.length, cutoff, resumed: cutoff.getTime() !== deps.clock.now().getTime() }, "refresh.planned");

  const queue = new WorkQueue(ids);
  const limiter = new RateLimiter(deps.ratePerSecond);
  let loggedFailures = 0;

  const refreshOne = async (item: WorkItem) => {
    try {
      // The banner is left to the weekly-buyers scrape, so a refresh costs one Uzum request per product.
      // The analysis itself hands the new snapshot to the alert rules.
      await deps.products.analyze(item.productId, { readBanner: false });
      counts.refreshed++;
    } catch (error) {
      if (error instanceof AppError && error.code === "PRODUCT_NOT_FOUND") {
        counts.notFound++;
      } else if (item.attempt < deps.maxAttempts) {
        counts.retries++;
        queue.retryLater({ ...item, attempt: item.attempt + 1 });
      } else {
        counts.failed++;
      }
      if (loggedFailures++ < loggedFailuresMax) {
        deps.logger.warn({ err: error, productId: item.productId, attempt: item.attempt }, "refresh.product_failed");
      }
    }
    context.reportProgress({ ...counts });
  };

  const worker = async () => {
    while (!context.signal.aborted) {
      const item = await queue.next();
      if (!item) return;
      try {
        await limiter.wait(context.signal);
        if (context.signal.aborted) return;
        await refreshOne(item);
      } finally {
        queue.done();
      }
    }
  };
  await Promise.all(Array.from({ length: deps.concurrency }, worker));

  if (loggedFailures > loggedFailuresMax) {
    deps.logger.warn({ runId: context.runId, unlogged: loggedFailures - loggedFailuresMax }, "refresh.failures_not_logged");
  }
  return counts;
}

/** The cut-off of the previous run when it was interrupted before covering its products. */
function resumedCutoff(context: JobContext): Date | undefined {
  const previous = context.previousRun;
  if (previous?.outcome !== "interrupted") return undefined;

  const cutoff = previous.resumeState?.cutoff;
  return typeof cutoff === "string" ? new Date(cutoff) : undefined;
}

/** Products tracked by an active account and last analysed before `cutoff`, oldest first. */
async function staleTrackedProductIds(db: Database, cutoff: Date): Promise<number[]> {
  const rows = await db
    .select({ id: products.id })
    .from(products)
    .where(and(lt(products.lastAnalyzedAt, cutoff), isTrackedByActiveAccount(db)))
    .orderBy(products.lastAnalyzedAt, products.id);
  return rows.map((row) => row.id);
}

/** Hands out products in order; failed products wait in a retry list until the first pass is done. */
class WorkQueue {
  private position = 0;
  private readonly retries: WorkItem[] = [];
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly ids: number[]) {}

  /** The next item, or undefined once every item is done and no retry can still be added. */
  async next(): Promise<WorkItem | undefined> {
    for (;;) {
      const item = this.position < this.ids.length ? { productId: this.ids[this.position++], attempt: 1 } : this.retries.shift();
      if (item) {
        this.inFlight++;
        return item;
      }
      if (this.inFlight === 0) return undefined;
      // Items still in flight may fail and come back as retries.
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Marks an item handed out by next() as finished, after any retryLater() for it. */
  done(): void {
    this.inFlight--;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  retryLater(item: WorkItem): void {
    this.retries.push(item);
  }

}
