import { and, desc, inArray, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { productSnapshots, products } from "../db/schema";
import { AppError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { Clock } from "../lib/time";
import { isTrackedByActiveAccount, type SnapshotRow } from "../modules/uzum/repository";
import type { ProductService } from "../modules/uzum/service";
import type { JobCounts } from "./job-runs";
import { RateLimiter } from "./rate-limiter";
import type { RefreshEvents } from "./refresh-events";
import type { JobContext, JobDefinition } from "./scheduler";

export interface RefreshTrackedDeps {
  db: Database;
  products: Pick<ProductService, "analyze">;
  events: RefreshEvents;
  clock: Clock;
  logger: Logger;
  concurrency: number;
  ratePerSecond: number;
  maxAttempts: number;
}

/** Products whose previous snapshots are read in one query. */
const chunkSize = 200;
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
  previous: SnapshotRow | null;
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

  const queue = new WorkQueue(deps.db, ids);
  const limiter = new RateLimiter(deps.ratePerSecond);
  let loggedFailures = 0;

  const refreshOne = async (item: WorkItem) => {
    try {
      // The banner is left to the weekly-buyers scrape, so a refresh costs one Uzum request per product.
      const current = await deps.products.analyze(item.productId, { readBanner: false });
      counts.refreshed++;
      await deps.events.emit({ productId: item.productId, previous: item.previous, current });
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

/**
 * Hands out products in order, reading each chunk's newest snapshots in one query when the
 * chunk is reached; failed products wait in a retry list until the first pass is done.
 */
class WorkQueue {
  private position = 0;
  private buffer: WorkItem[] = [];
  private readonly retries: WorkItem[] = [];
  private loading: Promise<void> | undefined;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly db: Database,
    private readonly ids: number[],
  ) {}

  /** The next item, or undefined once every item is done and no retry can still be added. */
  async next(): Promise<WorkItem | undefined> {
    for (;;) {
      if (this.buffer.length === 0 && this.position < this.ids.length) {
        this.loading ??= this.loadChunk().finally(() => (this.loading = undefined));
        await this.loading;
        continue;
      }
      const item = this.buffer.shift() ?? this.retries.shift();
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

  private async loadChunk(): Promise<void> {
    const chunk = this.ids.slice(this.position, this.position + chunkSize);
    this.position += chunk.length;
    const previous = await newestSnapshots(this.db, chunk);
    this.buffer.push(...chunk.map((productId) => ({ productId, previous: previous.get(productId) ?? null, attempt: 1 })));
  }
}

async function newestSnapshots(db: Database, productIds: number[]): Promise<Map<number, SnapshotRow>> {
  const rows = await db
    .selectDistinctOn([productSnapshots.productId])
    .from(productSnapshots)
    .where(inArray(productSnapshots.productId, productIds))
    .orderBy(productSnapshots.productId, desc(productSnapshots.snapshotDate));
  return new Map(rows.map((row) => [row.productId, row]));
}
