import { and, asc, count, desc, eq, inArray, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "../../db/client";
import { discoveryRuns, discoveryWinners, type CategoryLevel, type DiscoveryErrorCode, type DiscoveryListingSource } from "../../db/schema";
import type { CategoryInput } from "./category-input";

export type RunRow = typeof discoveryRuns.$inferSelect;
export type WinnerRow = typeof discoveryWinners.$inferSelect;

const openStatuses = ["PENDING", "RUNNING"] as const;
const isOpen = inArray(discoveryRuns.status, [...openStatuses]);

/** Inserts a PENDING run; returns null when the account already has an open run for the category. */
export async function insertRun(db: Database, accountId: string, userId: string | null, category: CategoryInput, now: Date): Promise<RunRow | null> {
  const [row] = await db
    .insert(discoveryRuns)
    .values({ accountId, createdBy: userId, categoryId: category.categoryId, pagePath: category.pagePath, locale: category.locale, createdAt: now })
    .onConflictDoNothing({ target: [discoveryRuns.accountId, discoveryRuns.categoryId], where: sql`status IN ('PENDING', 'RUNNING')` })
    .returning();
  return row ?? null;
}

export async function findOpenRun(db: Database, accountId: string, categoryId: number): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(discoveryRuns)
    .where(and(eq(discoveryRuns.accountId, accountId), eq(discoveryRuns.categoryId, categoryId), isOpen));
  return row;
}

export async function findRunStatus(db: Database, runId: string): Promise<RunRow["status"] | undefined> {
  const [row] = await db.select({ status: discoveryRuns.status }).from(discoveryRuns).where(eq(discoveryRuns.id, runId));
  return row?.status;
}

/** Counts the runs waiting for a worker, for the queue-depth metric; the partial index on open runs covers it. */
export async function countPendingRuns(db: Database): Promise<number> {
  const [row] = await db.select({ pending: count() }).from(discoveryRuns).where(eq(discoveryRuns.status, "PENDING"));
  return Number(row?.pending ?? 0);
}

export async function findRun(db: Database, accountId: string, runId: string): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(discoveryRuns)
    .where(and(eq(discoveryRuns.id, runId), eq(discoveryRuns.accountId, accountId)));
  return row;
}

/** Lists the account's runs, newest first. */
export async function listRuns(db: Database, accountId: string, page: { limit: number; offset: number }): Promise<{ total: number; rows: RunRow[] }> {
  const [{ total }] = await db.select({ total: count() }).from(discoveryRuns).where(eq(discoveryRuns.accountId, accountId));
  const rows = await db
    .select()
    .from(discoveryRuns)
    .where(eq(discoveryRuns.accountId, accountId))
    .orderBy(desc(discoveryRuns.createdAt), desc(discoveryRuns.id))
    .limit(page.limit)
    .offset(page.offset);
  return { total: Number(total), rows };
}

export function listWinners(db: Database, runId: string): Promise<WinnerRow[]> {
  return db.select().from(discoveryWinners).where(eq(discoveryWinners.runId, runId)).orderBy(asc(discoveryWinners.rank));
}

/** Cancels an open run of the account; returns the row, or undefined when no open run has that id. */
export async function cancelRun(db: Database, accountId: string, runId: string, now: Date): Promise<RunRow | undefined> {
  const [row] = await db
    .update(discoveryRuns)
    .set({ status: "CANCELLED", finishedAt: now, workerId: null, error: "Cancelled by a user", errorCode: "CANCELLED" })
    .where(and(eq(discoveryRuns.id, runId), eq(discoveryRuns.accountId, accountId), isOpen))
    .returning();
  return row;
}

/**
 * Finds the newest finished run of a category, or of any category when `categoryId` is null. With
 * `before`, it finds the newest one finished earlier than that run, for rank changes.
 */
export async function latestFinishedRun(
  db: Database,
  scope: { accountId: string | null; categoryId: number | null; before?: RunRow },
): Promise<RunRow | undefined> {
  const conditions: SQL[] = [eq(discoveryRuns.status, "FINISHED")];
  if (scope.accountId !== null) conditions.push(eq(discoveryRuns.accountId, scope.accountId));
  if (scope.categoryId !== null) conditions.push(eq(discoveryRuns.categoryId, scope.categoryId));
  if (scope.before) {
    conditions.push(ne(discoveryRuns.id, scope.before.id));
    conditions.push(lt(discoveryRuns.finishedAt, scope.before.finishedAt!));
  }

  const [row] = await db
    .select()
    .from(discoveryRuns)
    .where(and(...conditions))
    .orderBy(desc(discoveryRuns.finishedAt), desc(discoveryRuns.id))
    .limit(1);
  return row;
}

/** Fails the stale runs that have used every attempt, so none stays RUNNING forever; returns them. */
export function failExhaustedRuns(db: Database, now: Date, staleBefore: Date, maxAttempts: number): Promise<RunRow[]> {
  return db
    .update(discoveryRuns)
    .set({
      status: "FAILED",
      finishedAt: now,
      workerId: null,
      error: sql`'The worker stopped sending heartbeats ' || ${discoveryRuns.attempts} || ' time(s), which is the retry limit'`,
      errorCode: "WORKER_LOST",
    })
    .where(and(eq(discoveryRuns.status, "RUNNING"), lt(discoveryRuns.heartbeatAt, staleBefore), sql`${discoveryRuns.attempts} >= ${maxAttempts}`))
    .returning();
}

/**
 * Claims the oldest PENDING run, or a RUNNING one whose worker stopped sending heartbeats, for
 * `workerId`. `FOR UPDATE SKIP LOCKED` makes concurrent claimers on PostgreSQL take different rows.
 */
export async function claimRun(db: Database, workerId: string, now: Date, staleBefore: Date, maxAttempts: number): Promise<RunRow | undefined> {
  const claimable = db
    .select({ id: discoveryRuns.id })
    .from(discoveryRuns)
    .where(
      or(
        eq(discoveryRuns.status, "PENDING"),
        and(eq(discoveryRuns.status, "RUNNING"), lt(discoveryRuns.heartbeatAt, staleBefore), sql`${discoveryRuns.attempts} < ${maxAttempts}`),
      ),
    )
    .orderBy(asc(discoveryRuns.createdAt), asc(discoveryRuns.id))
    .limit(1)
    .for("update", { skipLocked: true });

  const [row] = await db
    .update(discoveryRuns)
    .set({
      status: "RUNNING",
      workerId,
      heartbeatAt: now,
      // postgres.js sends no Date inside raw SQL, so the instant goes as ISO text.
      startedAt: sql`COALESCE(${discoveryRuns.startedAt}, ${now.toISOString()}::timestamptz)`,
      attempts: sql`${discoveryRuns.attempts} + 1`,
    })
    .where(and(inArray(discoveryRuns.id, claimable), or(eq(discoveryRuns.status, "PENDING"), eq(discoveryRuns.status, "RUNNING"))))
    .returning();
  return row;
}

/** The products a worker has fetched or given up on so far. */
export interface RunProgress {
  fetchedProductIds: number[];
  failedProductIds: number[];
}

export interface RunListing {
  source: DiscoveryListingSource;
  categoryName: string | null;
  categoryPath: CategoryLevel[];
  categoryTotal: number | null;
  listedProductIds: number[] | null;
}

/** Builds the condition every write of a worker carries: the run is still RUNNING and still its own. */
function owned(runId: string, workerId: string) {
  return and(eq(discoveryRuns.id, runId), eq(discoveryRuns.workerId, workerId), eq(discoveryRuns.status, "RUNNING"));
}

/** Stores the listing; returns false when the worker no longer owns the run. */
export async function saveListing(db: Database, runId: string, workerId: string, listing: RunListing, now: Date): Promise<boolean> {
  const rows = await db
    .update(discoveryRuns)
    .set({ ...listing, heartbeatAt: now })
    .where(owned(runId, workerId))
    .returning({ id: discoveryRuns.id });
  return rows.length === 1;
}

/** Stores progress and renews the heartbeat; returns false when the worker no longer owns the run. */
export async function saveProgress(db: Database, runId: string, workerId: string, progress: RunProgress, now: Date): Promise<boolean> {
  const rows = await db
    .update(discoveryRuns)
    .set({ ...progress, heartbeatAt: now })
    .where(owned(runId, workerId))
    .returning({ id: discoveryRuns.id });
  return rows.length === 1;
}

/** Puts a run back to PENDING for another worker, without counting the attempt, on a clean shutdown. */
export async function releaseRun(db: Database, runId: string, workerId: string, progress: RunProgress): Promise<void> {
  await db
    .update(discoveryRuns)
    .set({ ...progress, status: "PENDING", workerId: null, heartbeatAt: null, attempts: sql`GREATEST(${discoveryRuns.attempts} - 1, 0)` })
    .where(owned(runId, workerId));
}

export async function failRun(
  db: Database,
  runId: string,
  workerId: string,
  progress: RunProgress,
  failure: { code: DiscoveryErrorCode; error: string },
  now: Date,
): Promise<RunRow | undefined> {
  const [row] = await db
    .update(discoveryRuns)
    .set({ ...progress, status: "FAILED", error: failure.error, errorCode: failure.code, finishedAt: now, workerId: null })
    .where(owned(runId, workerId))
    .returning();
  return row;
}

/**
 * Marks the run FINISHED and stores its top `winnerCount` fetched products by score, each with
 * its newest snapshot, in one transaction. Returns undefined when the worker no longer owns the run.
 */
export async function finishRun(db: Database, runId: string, workerId: string, progress: RunProgress, winnerCount: number, now: Date): Promise<RunRow | undefined> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(discoveryRuns)
      .set({ ...progress, status: "FINISHED", finishedAt: now, workerId: null, error: null, errorCode: null })
      .where(owned(runId, workerId))
      .returning();
    if (!row) return undefined;

    await tx.execute(sql`
      INSERT INTO discovery_winners (run_id, rank, product_id, title, photo_url, score, weekly_buyers, weekly_buyers_source,
        orders_quantity, sell_price_som, rating, reviews_count, stock_units, shop_id, shop_title, shop_rating)
      SELECT ${runId}::uuid,
        row_number() OVER (ORDER BY s.score DESC NULLS LAST, s.orders_quantity DESC NULLS LAST, p.id) AS rank,
        p.id, p.title, p.photo_url, s.score, s.weekly_buyers, s.weekly_buyers_source,
        s.orders_quantity, s.sell_price_som, s.rating, s.reviews_count, s.stock_units, sh.id, sh.title, sh.rating
      FROM products p
      JOIN LATERAL (
        SELECT * FROM product_snapshots ps WHERE ps.product_id = p.id ORDER BY ps.snapshot_date DESC LIMIT 1
      ) s ON true
      LEFT JOIN shops sh ON sh.id = p.shop_id
      WHERE p.id IN (SELECT value::bigint FROM jsonb_array_elements_text(${JSON.stringify(progress.fetchedProductIds)}::jsonb))
      ORDER BY rank
      LIMIT ${winnerCount}`);
    return row;
  });
}

