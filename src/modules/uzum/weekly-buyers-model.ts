import { t, type Static } from "elysia";
import { analysisView, toAnalysisView } from "./model";
import type { SourceAttempt } from "./banner-reader";
import type { WeeklyBuyersRefresh } from "./weekly-buyers";

const nullableInteger = t.Union([t.Integer(), t.Null()]);

export const sourceAttemptView = t.Object({
  source: t.Union([t.Literal("graphql"), t.Literal("html"), t.Literal("browser")]),
  outcome: t.Union([t.Literal("found"), t.Literal("no_banner"), t.Literal("failed"), t.Literal("skipped")], {
    description: "found: the weekly-buyers banner; no_banner: the page shows none; failed: the source gave no usable result; skipped: not tried",
  }),
  weekly_buyers: nullableInteger,
  text: t.Union([t.String(), t.Null()], { description: "The banner exactly as the page showed it" }),
  in_carts: nullableInteger,
  in_wishlists: nullableInteger,
  confidence: t.Union([t.Number(), t.Null()], { description: "1 for GraphQL's structured banner, less for page text" }),
  reason: t.Union([t.String(), t.Null()], { description: "Reason code for a failure, a skip or a missing banner, such as http_500" }),
  duration_ms: t.Integer(),
});

export const weeklyBuyersRefreshView = t.Object({
  product_id: t.Integer(),
  sources: t.Array(sourceAttemptView, { description: "Every source in the order tried: GraphQL, page HTML, browser" }),
  analysis: analysisView,
});
export type WeeklyBuyersRefreshView = Static<typeof weeklyBuyersRefreshView>;

/** Maps a forced reading to its response: what each source gave, then the product as stored. */
export function toWeeklyBuyersRefreshView(productId: number, refresh: WeeklyBuyersRefresh): WeeklyBuyersRefreshView {
  return { product_id: productId, sources: refresh.attempts.map(toSourceAttemptView), analysis: toAnalysisView(refresh.stored) };
}

function toSourceAttemptView(attempt: SourceAttempt) {
  return {
    source: attempt.source,
    outcome: attempt.outcome,
    weekly_buyers: attempt.weeklyBuyers,
    text: attempt.text,
    in_carts: attempt.inCarts,
    in_wishlists: attempt.inWishlists,
    confidence: attempt.confidence,
    reason: attempt.reason,
    duration_ms: attempt.durationMs,
  };
}
