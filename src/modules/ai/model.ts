import { t } from "elysia";
import { maxProductId } from "../uzum/model";
import type { Explanation } from "./service";

export const explainParams = t.Object({
  productId: t.Integer({ minimum: 1, maximum: maxProductId, description: "Uzum product id of an analysed product" }),
});

/** Required, even if empty, so that a body which is not JSON is rejected instead of read as no body. */
export const explainBody = t.Object({
  language: t.Optional(
    t.Union([t.Literal("uz"), t.Literal("ru"), t.Literal("en")], { description: "Defaults to the Accept-Language header" }),
  ),
});

export const explanationView = t.Object({
  product_id: t.Integer(),
  snapshot_date: t.String({ format: "date", description: "The Tashkent day of the snapshot explained" }),
  language: t.Union([t.Literal("uz"), t.Literal("ru"), t.Literal("en")]),
  source: t.Union([t.Literal("anthropic"), t.Literal("rules")], {
    description: "anthropic: written by the model; rules: built from the score's components without a model",
  }),
  model: t.Union([t.String(), t.Null()]),
  cached: t.Boolean(),
  score: t.Number(),
  text: t.String(),
});

export function toExplanationView(explanation: Explanation) {
  return {
    product_id: explanation.productId,
    snapshot_date: explanation.snapshotDate,
    language: explanation.locale,
    source: explanation.source,
    model: explanation.model,
    cached: explanation.cached,
    score: explanation.score,
    text: explanation.text,
  };
}
