import type { Database } from "../db/client";
import type { Logger } from "../lib/logger";
import type { Clock } from "../lib/time";
import type { ProductService } from "../modules/uzum/service";
import type { JobsConfig } from "./config";
import { dailySalesJob } from "./daily-sales";
import { refreshTrackedJob } from "./refresh-tracked";
import { Scheduler, type SchedulerOptions } from "./scheduler";
import { snapshotCleanupJob, snapshotDedupeJob } from "./snapshot-jobs";
import { scrapeWeeklyBuyersJob, type WeeklyBuyersScrape } from "./weekly-buyers";

export interface SchedulerDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  config: JobsConfig;
  products: Pick<ProductService, "analyze">;
  weeklyBuyers: WeeklyBuyersScrape | undefined;
  onRunFinished?: SchedulerOptions["onRunFinished"];
}

/** Creates the scheduler with every job registered; `start()` runs them on their schedules. */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { db, clock, logger, config } = deps;
  return new Scheduler({
    db,
    clock,
    logger,
    instanceId: config.instanceId,
    leaseTtlSeconds: config.leaseTtlSeconds,
    schedules: config.schedules,
    onRunFinished: deps.onRunFinished,
    jobs: [
      refreshTrackedJob({ db, clock, logger, products: deps.products, ...config.refresh }),
      scrapeWeeklyBuyersJob(deps.weeklyBuyers),
      snapshotDedupeJob({ db, clock }),
      snapshotCleanupJob({ db, clock }),
      dailySalesJob({ db, logger }),
    ],
  });
}
