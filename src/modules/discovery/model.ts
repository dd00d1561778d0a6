import { t } from "elysia";
import { discoveryErrorCodes } from "../../db/schema";
import { categoryLevel } from "../uzum/model";
import type { RunRow, WinnerRow } from "./repository";

export const createRunBody = t.Object({
  input: t.String({
    maxLength: 2048,
    description: "An uzum.uz category link or a numeric category id",
    examples: ["https://uzum.uz/ru/category/makiyazh--10091", "10091"],
  }),
});

export const runIdParams = t.Object({ id: t.String({ format: "uuid", description: "Discovery run id" }) });

export const runListQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20 })),
  offset: t.Optional(t.Integer({ minimum: 0, default: 0 })),
});

export const leaderboardQuery = t.Object({
  category_id: t.String({ maxLength: 2048, description: "Category id, or a category link as accepted when creating a run" }),
});

export const publicLeaderboardQuery = t.Object({
  category_id: t.Optional(
    t.String({ maxLength: 2048, description: "Category id or link; without it, the most recent finished scan of any category" }),
  ),
});

const nullableNumber = t.Union([t.Number(), t.Null()]);
const nullableInteger = t.Union([t.Integer(), t.Null()]);
const nullableString = t.Union([t.String(), t.Null()]);
const nullableDate = t.Union([t.String({ format: "date-time" }), t.Null()]);

export type RankChange = "new" | "up" | "down" | "same";

/** A winner with its place in the previous finished run of the same category. */
export interface RankedWinner {
  winner: WinnerRow;
  change: RankChange;
  previousRank: number | null;
}

export const winnerView = t.Object({
  rank: t.Integer({ minimum: 1 }),
  product_id: t.Integer(),
  title: t.String(),
  photo_url: nullableString,
  score: nullableNumber,
  weekly_buyers: t.Union([t.Integer(), t.Null()], { description: "Buyers this week; null when unknown" }),
  weekly_buyers_source: t.Union([t.Literal("graphql"), t.Literal("html"), t.Literal("browser"), t.Literal("orders_delta"), t.Null()]),
  orders_quantity: nullableInteger,
  sell_price: t.Union([t.Integer(), t.Null()], { description: "Lowest price a buyer pays, in so'm" }),
  rating: nullableNumber,
  reviews_count: nullableInteger,
  stock_units: nullableInteger,
  shop: t.Union([t.Object({ id: t.Integer(), title: nullableString, rating: nullableNumber }), t.Null()]),
  rank_change: t.Union([t.Literal("new"), t.Literal("up"), t.Literal("down"), t.Literal("same")], {
    description: "Against the previous finished run of this category: new when the product was not among its winners",
  }),
  previous_rank: nullableInteger,
});

const runStatus = t.Union([t.Literal("PENDING"), t.Literal("RUNNING"), t.Literal("FINISHED"), t.Literal("FAILED"), t.Literal("CANCELLED")]);

export const runView = t.Object({
  id: t.String({ format: "uuid" }),
  status: runStatus,
  category_id: t.Integer(),
  category_name: nullableString,
  category_path: t.Array(categoryLevel, { description: "Root first, ending with the category" }),
  category_total: t.Union([t.Integer(), t.Null()], { description: "Products Uzum counts in the category" }),
  page_path: t.String({ description: "The category page on uzum.uz" }),
  source: t.Union([t.Literal("graphql"), t.Literal("browser"), t.Null()], { description: "Where the listing came from" }),
  progress: t.Object({
    processed: t.Integer({ description: "Products fetched or given up on" }),
    total: t.Union([t.Integer(), t.Null()], { description: "Products to fetch; estimated from Uzum's count until the listing is complete" }),
    fetched: t.Integer(),
    failed: t.Integer(),
  }),
  attempts: t.Integer({ description: "Times a worker started or resumed the run" }),
  error: t.Union([t.String(), t.Null()], { description: "The reason the run failed or stopped, in English, for operators" }),
  error_code: t.Union([t.UnionEnum(discoveryErrorCodes), t.Null()], {
    description:
      "Stable code of that reason: LISTING_FAILED, CATEGORY_EMPTY (Uzum lists no products there), NO_PRODUCT_FETCHED, WORKER_LOST (the workers stopped too often), CANCELLED",
  }),
  created_at: t.String({ format: "date-time" }),
  started_at: nullableDate,
  finished_at: nullableDate,
  duration_ms: t.Union([t.Integer(), t.Null()], { description: "From the first start to the end" }),
});

export const runDetailView = t.Composite([runView, t.Object({ winners: t.Array(winnerView, { description: "Empty until the run has finished" }) })]);

export const runListView = t.Object({ total: t.Integer(), limit: t.Integer(), offset: t.Integer(), items: t.Array(runView) });

export const createdRunView = t.Object({ id: t.String({ format: "uuid" }), status: t.Literal("PENDING"), category_id: t.Integer() });

export const leaderboardView = t.Object({
  run_id: t.String({ format: "uuid" }),
  previous_run_id: t.Union([t.String({ format: "uuid" }), t.Null()]),
  category_id: t.Integer(),
  category_name: nullableString,
  category_path: t.Array(categoryLevel),
  source: t.Union([t.Literal("graphql"), t.Literal("browser"), t.Null()]),
  finished_at: t.String({ format: "date-time" }),
  winners: t.Array(winnerView),
});

export const publicLeaderboardView = t.Object({
  category_id: t.Integer(),
  category_name: nullableString,
  category_path: t.Array(categoryLevel),
  finished_at: t.String({ format: "date-time" }),
  winners: t.Array(winnerView),
});

/** Maps a run to its API view; `maxProducts` bounds the estimated total before the listing is complete. */
export function toRunView(run: RunRow, maxProducts: number) {
  const fetched = run.fetchedProductIds.length;
  const failed = run.failedProductIds.length;
  const estimate = run.categoryTotal === null ? null : Math.min(run.categoryTotal, maxProducts);
  const endedAt = run.finishedAt ?? null;

  return {
    id: run.id,
    status: run.status,
    category_id: run.categoryId,
    category_name: run.categoryName,
    category_path: run.categoryPath,
    category_total: run.categoryTotal,
    page_path: run.pagePath,
    source: run.source,
    progress: { processed: fetched + failed, total: run.listedProductIds?.length ?? estimate, fetched, failed },
    attempts: run.attempts,
    error: run.error,
    error_code: run.errorCode,
    created_at: run.createdAt.toISOString(),
    started_at: run.startedAt?.toISOString() ?? null,
    finished_at: endedAt?.toISOString() ?? null,
    duration_ms: run.startedAt && endedAt ? endedAt.getTime() - run.startedAt.getTime() : null,
  };
}

export function toWinnerView({ winner, change, previousRank }: RankedWinner) {
  return {
    rank: winner.rank,
    product_id: winner.productId,
    title: winner.title,
    photo_url: winner.photoUrl,
    score: winner.score,
    weekly_buyers: winner.weeklyBuyers,
    weekly_buyers_source: winner.weeklyBuyersSource,
    orders_quantity: winner.ordersQuantity,
    sell_price: winner.sellPriceSom,
    rating: winner.rating,
    reviews_count: winner.reviewsCount,
    stock_units: winner.stockUnits,
    shop: winner.shopId === null ? null : { id: winner.shopId, title: winner.shopTitle, rating: winner.shopRating },
    rank_change: change,
    previous_rank: previousRank,
  };
}

/** Compares each winner with its rank among `previous`, the winners of the previous finished run. */
export function rankWinners(current: WinnerRow[], previous: WinnerRow[]): RankedWinner[] {
  const previousRanks = new Map(previous.map((winner) => [winner.productId, winner.rank]));
  return current.map((winner) => {
    const previousRank = previousRanks.get(winner.productId) ?? null;
    return { winner, change: rankChange(winner.rank, previousRank), previousRank };
  });
}

function rankChange(rank: number, previousRank: number | null): RankChange {
  if (previousRank === null) return "new";
  if (rank < previousRank) return "up";
  if (rank > previousRank) return "down";
  return "same";
}
