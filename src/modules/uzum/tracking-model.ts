import { t, type Static } from "elysia";
import { quickScoreView, toQuickScoreView } from "./model";
import type { DailyPoint, TrackedItem } from "./tracking";

export const pageQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: t.Optional(t.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
});

export const seriesQuery = t.Object({
  days: t.Optional(t.Integer({ minimum: 1, maximum: 365, default: 30, description: "Tashkent days back from today" })),
});

export const trackingView = t.Object({
  product_id: t.Integer(),
  tracked: t.Literal(true),
  tracked_since: t.String({ format: "date-time" }),
});

const scoreTrend = t.Object({
  direction: t.Union([t.Literal("up"), t.Literal("down"), t.Literal("flat"), t.Null()], {
    description: "Latest score against the oldest of the past 7 days; null with a single day",
  }),
  change: t.Union([t.Number(), t.Null()]),
  history: t.Array(t.Object({ date: t.String({ format: "date" }), score: t.Union([t.Number(), t.Null()]) })),
});

export const trackedItemView = t.Composite([
  quickScoreView,
  t.Object({
    photo_url: t.Union([t.String(), t.Null()]),
    tracked_since: t.String({ format: "date-time" }),
    score_trend: scoreTrend,
  }),
]);

export const trackedListView = t.Object({
  total: t.Integer(),
  limit: t.Integer(),
  offset: t.Integer(),
  items: t.Array(trackedItemView),
});

export const dailyPointView = t.Object({
  snapshot_date: t.String({ format: "date" }),
  orders_quantity: t.Union([t.Integer(), t.Null()]),
  daily_sales: t.Union([t.Integer(), t.Null()], { description: "Orders that day; null without the previous day or on a drop" }),
  stock_units: t.Union([t.Integer(), t.Null()]),
  sell_price: t.Union([t.Integer(), t.Null()]),
  full_price: t.Union([t.Integer(), t.Null()]),
  rating: t.Union([t.Number(), t.Null()]),
  reviews_count: t.Union([t.Integer(), t.Null()]),
  weekly_buyers: t.Union([t.Integer(), t.Null()]),
  weekly_buyers_source: t.Union([t.String(), t.Null()]),
  score: t.Union([t.Number(), t.Null()]),
});

export const dailySeriesView = t.Object({
  product_id: t.Integer(),
  days: t.Integer(),
  snapshots: t.Array(dailyPointView),
});

export function toTrackedItemView(item: TrackedItem): Static<typeof trackedItemView> {
  const scores = item.scoreHistory.filter((point) => point.score !== null);
  const first = scores[0]?.score ?? null;
  const last = item.stored.snapshot.score;
  const change = scores.length >= 2 && first !== null && last !== null ? Math.round((last - first) * 10_000) / 10_000 : null;

  return {
    ...toQuickScoreView(item.stored),
    photo_url: item.stored.product.photoUrl,
    tracked_since: item.trackedSince.toISOString(),
    score_trend: {
      direction: change === null ? null : change > 0 ? "up" : change < 0 ? "down" : "flat",
      change,
      history: item.scoreHistory,
    },
  };
}

export function toDailyPointView(point: DailyPoint): Static<typeof dailyPointView> {
  const { snapshot } = point;
  return {
    snapshot_date: snapshot.snapshotDate,
    orders_quantity: snapshot.ordersQuantity,
    daily_sales: point.dailySales,
    stock_units: snapshot.stockUnits,
    sell_price: snapshot.sellPriceSom,
    full_price: snapshot.fullPriceSom,
    rating: snapshot.rating,
    reviews_count: snapshot.reviewsCount,
    weekly_buyers: snapshot.weeklyBuyers,
    weekly_buyers_source: snapshot.weeklyBuyersSource,
    score: snapshot.score,
  };
}
