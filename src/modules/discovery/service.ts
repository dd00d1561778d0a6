import type { Database } from "../../db/client";
import { conflict, notFound } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import { parseCategoryInput } from "./category-input";
import { rankWinners, type RankedWinner } from "./model";
import {
  cancelRun,
  findOpenRun,
  findRun,
  insertRun,
  latestFinishedRun,
  listRuns,
  listWinners,
  type RunRow,
} from "./repository";
import type { DiscoveryWorker } from "./worker";

export interface DiscoveryServiceDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  worker: DiscoveryWorker;
}

/** A finished run's winners, each compared with the previous finished run of the category. */
export interface Leaderboard {
  run: RunRow;
  previousRunId: string | null;
  winners: RankedWinner[];
}

/** Category discovery for an account: creating, reading and cancelling runs, and the leaderboards. */
export class DiscoveryService {
  constructor(private readonly deps: DiscoveryServiceDeps) {}

  /**
   * Queues a scan of the category named by `input`. Throws 400 INVALID_CATEGORY for input that
   * names no category, and 409 RUN_IN_PROGRESS with the open run's id when the account already
   * has a pending or running scan of that category.
   */
  async create(accountId: string, userId: string | null, input: string): Promise<RunRow> {
    const category = parseCategoryInput(input);

    // The open run can end between the insert and the look-up, so a second insert follows once.
    for (let attempt = 1; ; attempt++) {
      const run = await insertRun(this.deps.db, accountId, userId, category, this.deps.clock.now());
      if (run) {
        this.deps.logger.info({ runId: run.id, accountId, categoryId: run.categoryId }, "discovery.run_created");
        this.deps.worker.wake();
        return run;
      }

      const open = await findOpenRun(this.deps.db, accountId, category.categoryId);
      if (open || attempt === 2) {
        throw conflict("RUN_IN_PROGRESS", { run_id: open?.id ?? null, status: open?.status ?? null, category_id: category.categoryId });
      }
    }
  }

  list(accountId: string, page: { limit: number; offset: number }) {
    return listRuns(this.deps.db, accountId, page);
  }

  /** Returns the account's run with its winners. Throws 404 RUN_NOT_FOUND for another account's or an unknown id. */
  async get(accountId: string, runId: string): Promise<{ run: RunRow; winners: RankedWinner[] }> {
    const run = await findRun(this.deps.db, accountId, runId);
    if (!run) throw notFound("RUN_NOT_FOUND", { run_id: runId });
    if (run.status !== "FINISHED") return { run, winners: [] };

    const board = await this.withRankChanges(run, accountId);
    return { run, winners: board.winners };
  }

  /**
   * Cancels a pending or running run. A scan on this instance stops at once; on another instance,
   * at its next heartbeat. Throws 404 RUN_NOT_FOUND, or 409 RUN_ALREADY_ENDED for an ended run.
   */
  async cancel(accountId: string, runId: string): Promise<RunRow> {
    const cancelled = await cancelRun(this.deps.db, accountId, runId, this.deps.clock.now());
    if (!cancelled) {
      const run = await findRun(this.deps.db, accountId, runId);
      if (!run) throw notFound("RUN_NOT_FOUND", { run_id: runId });
      throw conflict("RUN_ALREADY_ENDED", { run_id: runId, status: run.status });
    }

    const stoppedHere = this.deps.worker.cancelLocal(runId);
    this.deps.logger.info({ runId, accountId, stoppedHere }, "discovery.run_cancelled");
    return cancelled;
  }

  /** Returns the account's latest finished run of the category. Throws 404 NO_FINISHED_RUN when it has none. */
  async leaderboard(accountId: string, categoryInput: string): Promise<Leaderboard> {
    const { categoryId } = parseCategoryInput(categoryInput);
    const run = await latestFinishedRun(this.deps.db, { accountId, categoryId });
    if (!run) throw notFound("NO_FINISHED_RUN", { category_id: categoryId });
    return this.withRankChanges(run, accountId);
  }

  /**
   * Returns the most recent finished run of any account, for the category when one is given and
   * otherwise of any category, compared across accounts. Throws 404 NO_FINISHED_RUN when there is none.
   */
  async publicLeaderboard(categoryInput?: string): Promise<Leaderboard> {
    const categoryId = categoryInput === undefined ? null : parseCategoryInput(categoryInput).categoryId;
    const run = await latestFinishedRun(this.deps.db, { accountId: null, categoryId });
    if (!run) throw notFound("NO_FINISHED_RUN", categoryId === null ? undefined : { category_id: categoryId });
    return this.withRankChanges(run, null);
  }

  private async withRankChanges(run: RunRow, accountId: string | null): Promise<Leaderboard> {
    const previous = await latestFinishedRun(this.deps.db, { accountId, categoryId: run.categoryId, before: run });
    const [current, earlier] = await Promise.all([
      listWinners(this.deps.db, run.id),
      previous ? listWinners(this.deps.db, previous.id) : Promise.resolve([]),
    ]);
    return { run, previousRunId: previous?.id ?? null, winners: rankWinners(current, earlier) };
  }
}
