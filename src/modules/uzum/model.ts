import { t, type Static } from "elysia";
import type { StoredProduct } from "./repository";

/** Largest product id accepted anywhere, matching the link parser. */
export const maxProductId = 1_000_000_000_000;

export const productIdParams = t.Object({
  id: t.Integer({ minimum: 1, maximum: maxProductId, description: "Uzum product id" }),
});

export const analyzeBody = t.Object({
  url: t.String({
    minLength: 1,
    maxLength: 2048,
    description: "An uzum.uz product link or a numeric product id",
    examples: ["https://uzum.uz/uz/product/televizor-uchun-kronshteyn-1772350", "1772350"],
  }),
});

const nullableNumber = t.Union([t.Number(), t.Null()]);
const nullableInteger = t.Union([t.Integer(), t.Null()]);
const nullableString = t.Union([t.String(), t.Null()]);

const weeklySource = t.Union([
  t.Literal("graphql"),
  t.Literal("html"),
  t.Literal("browser"),
  t.Literal("orders_delta"),
  t.Null(),
]);

export const categoryLevel = t.Object({ id: t.Integer(), title: t.String() });

export const scoreDetails = t.Object({
  weekly_buyers_used: t.Integer({ description: "The weekly figure the score used" }),
  weekly_buyers_basis: t.Union([t.Literal("current"), t.Literal("last_known"), t.Literal("assumed_zero")], {
    description:
      "current: today's figure; last_known: the newest figure of the past 14 days because today's is unknown; " +
      "assumed_zero: no figure in 14 days, so 0 was used",
  }),
  weekly_buyers_date: t.Union([t.String({ format: "date" }), t.Null()]),
  components: t.Record(t.String(), t.Number(), { description: "Each weighted term of the score" }),
});

export const skuView = t.Object({
  id: t.Integer(),
  title: nullableString,
  sell_price: nullableInteger,
  full_price: nullableInteger,
  stock_units: t.Integer(),
  stock_type: nullableString,
});

export const analysisView = t.Object({
  product_id: t.Integer(),
  title: t.String(),
  title_uz: nullableString,
  title_ru: nullableString,
  category: t.Union([
    t.Object({ id: t.Integer(), title: t.String(), path: t.Array(categoryLevel, { description: "Root first" }) }),
    t.Null(),
  ]),
  shop: t.Union([
    t.Object({ id: t.Integer(), title: t.String(), rating: nullableNumber, orders: nullableInteger }),
    t.Null(),
  ]),
  rating: nullableNumber,
  reviews_count: nullableInteger,
  orders_quantity: t.Union([t.Integer(), t.Null()], { description: "Exact total orders" }),
  stock_units: nullableInteger,
  sell_price: t.Union([t.Integer(), t.Null()], { description: "Lowest price a buyer pays, in so'm" }),
  full_price: t.Union([t.Integer(), t.Null()], { description: "Crossed-out price of the same SKU, in so'm" }),
  discount_percent: nullableInteger,
  stock_type: t.Union([t.Literal("FBO"), t.Literal("FBS"), t.Literal("MIXED"), t.Null()]),
  photo_url: nullableString,
  photo_urls: t.Array(t.String()),
  weekly_buyers: t.Union([t.Integer(), t.Null()], { description: "Buyers this week; null when unknown, never 0 for unknown" }),
  weekly_buyers_source: weeklySource,
  weekly_buyers_text: nullableString,
  weekly_buyers_confidence: t.Union([t.Number(), t.Null()], {
    description: "For a banner: 1 when read from GraphQL's structured banner, 0.9 from the page's embedded data, 0.7 from page text",
  }),
  in_carts: nullableInteger,
  in_wishlists: nullableInteger,
  score: nullableNumber,
  score_version: nullableInteger,
  score_details: t.Union([scoreDetails, t.Null()]),
  snapshot_date: t.String({ format: "date", description: "Tashkent calendar day of the snapshot" }),
  analyzed_at: t.String({ format: "date-time" }),
});
export type AnalysisView = Static<typeof analysisView>;

export const quickScoreView = t.Object({
  product_id: t.Integer(),
  title: t.String(),
  score: nullableNumber,
  score_version: nullableInteger,
  weekly_buyers: nullableInteger,
  weekly_buyers_source: weeklySource,
  sell_price: nullableInteger,
  stock_units: nullableInteger,
  orders_quantity: nullableInteger,
  rating: nullableNumber,
  snapshot_date: t.String({ format: "date" }),
  analyzed_at: t.String({ format: "date-time" }),
});
export type QuickScoreView = Static<typeof quickScoreView>;

export const batchQuickScoreBody = t.Object({
  product_ids: t.Array(t.Integer({ minimum: 1, maximum: maxProductId }), { minItems: 1, maxItems: 50 }),
});

export const batchQuickScoreView = t.Object({
  results: t.Array(
    t.Union([
      t.Composite([t.Object({ found: t.Literal(true) }), quickScoreView]),
      t.Object({
        product_id: t.Integer(),
        found: t.Literal(false),
        error: t.Object({ code: t.String(), message: t.String() }),
      }),
    ]),
  ),
});

/** Maps a stored product to the analysis response. */
export function toAnalysisView(stored: StoredProduct): AnalysisView {
  const { product, shop, snapshot } = stored;
  const leaf = product.categoryPath.at(-1);

  return {
    product_id: product.id,
    title: product.title,
    title_uz: product.titleUz,
    title_ru: product.titleRu,
    category: leaf ? { id: leaf.id, title: leaf.title, path: product.categoryPath } : null,
    shop: shop ? { id: shop.id, title: shop.title, rating: shop.rating, orders: shop.ordersQuantity } : null,
    rating: snapshot.rating,
    reviews_count: snapshot.reviewsCount,
    orders_quantity: snapshot.ordersQuantity,
    stock_units: snapshot.stockUnits,
    sell_price: snapshot.sellPriceSom,
    full_price: snapshot.fullPriceSom,
    discount_percent: snapshot.discountPercent,
    stock_type: snapshot.stockType as AnalysisView["stock_type"],
    photo_url: product.photoUrl,
    photo_urls: product.photoUrls,
    weekly_buyers: snapshot.weeklyBuyers,
    weekly_buyers_source: snapshot.weeklyBuyersSource,
    weekly_buyers_text: snapshot.weeklyBuyersText,
    weekly_buyers_confidence: snapshot.weeklyBuyersConfidence,
    in_carts: snapshot.inCarts,
    in_wishlists: snapshot.inWishlists,
    score: snapshot.score,
    score_version: snapshot.scoreVersion,
    score_details:
      snapshot.scoreWeeklyBasis && snapshot.scoreWeeklyBuyers !== null
        ? {
            weekly_buyers_used: snapshot.scoreWeeklyBuyers,
            weekly_buyers_basis: snapshot.scoreWeeklyBasis,
            weekly_buyers_date: snapshot.scoreWeeklyDate,
            components: snapshot.scoreComponents ?? {},
          }
        : null,
    snapshot_date: snapshot.snapshotDate,
    analyzed_at: snapshot.capturedAt.toISOString(),
  };
}

/** Maps a stored product to the short form the browser extension shows. */
export function toQuickScoreView(stored: StoredProduct): QuickScoreView {
  const { product, snapshot } = stored;
  return {
    product_id: product.id,
    title: product.title,
    score: snapshot.score,
    score_version: snapshot.scoreVersion,
    weekly_buyers: snapshot.weeklyBuyers,
    weekly_buyers_source: snapshot.weeklyBuyersSource,
    sell_price: snapshot.sellPriceSom,
    stock_units: snapshot.stockUnits,
    orders_quantity: snapshot.ordersQuantity,
    rating: snapshot.rating,
    snapshot_date: snapshot.snapshotDate,
    analyzed_at: snapshot.capturedAt.toISOString(),
  };
}
