import { Elysia, t } from "elysia";
import { errorEnvelope, errorResponses } from "../../lib/http";
import { errorMessage, pickLocale } from "../../lib/messages";
import { authGuard } from "../admin/auth-guard";
import type { AuthService } from "../admin/auth-service";
import {
  analysisView,
  analyzeBody,
  batchQuickScoreBody,
  batchQuickScoreView,
  productIdParams,
  quickScoreView,
  toAnalysisView,
  toQuickScoreView,
} from "./model";
import { parseProductInput } from "./product-url";
import { dailySeriesView, trackedListView, trackingView, toDailyPointView, toTrackedItemView, seriesQuery, pageQuery } from "./tracking-model";
import type { ProductService } from "./service";
import type { TrackingService } from "./tracking";
import type { WeeklyBuyersService } from "./weekly-buyers";
import { toWeeklyBuyersRefreshView, weeklyBuyersRefreshView } from "./weekly-buyers-model";

const secured = { security: [{ bearer: [] }] };
const upstreamErrors = { ...errorResponses, 502: errorEnvelope, 503: errorEnvelope };

/** Live analysis from Uzum and the stored-data views for the browser extension, under /api/v1/uzum. */
export function uzumRoutes(deps: { auth: AuthService; products: ProductService; weeklyBuyers: WeeklyBuyersService }) {
  return new Elysia({ prefix: "/api/v1/uzum", tags: ["uzum"] })
    .use(authGuard(deps.auth))
    .post("/analyze", async ({ body }) => toAnalysisView(await deps.products.analyze(parseProductInput(body.url))), {
      body: analyzeBody,
      response: { 200: analysisView, ...upstreamErrors },
      detail: { summary: "Analyse a product by link or id: fetch it from Uzum and store today's snapshot", ...secured },
    })
    .get("/product/:id", async ({ params }) => toAnalysisView(await deps.products.analyze(params.id)), {
      params: productIdParams,
      response: { 200: analysisView, ...upstreamErrors },
      detail: { summary: "Analyse a product by id", ...secured },
    })
    .post(
      "/product/:id/weekly-buyers",
      async ({ params }) => toWeeklyBuyersRefreshView(params.id, await deps.weeklyBuyers.refresh(params.id, "forced")),
      {
        params: productIdParams,
        response: { 200: weeklyBuyersRefreshView, ...upstreamErrors },
        detail: {
          summary: "Read the weekly-buyers banner now through GraphQL, the page HTML and a browser, and store it",
          description:
            "Tries the sources in that order until one shows the banner and reports what each gave. A source that fails is " +
            "reported with its reason, never as an error response; a product with no snapshot today is analysed first.",
          ...secured,
        },
      },
    )
    .get("/product/:id/quick-score", async ({ params }) => toQuickScoreView(await deps.products.getStored(params.id)), {
      params: productIdParams,
      response: { 200: quickScoreView, ...errorResponses },
      detail: { summary: "The stored score of a product, without calling Uzum", ...secured },
    })
    .post(
      "/batch-quick-score",
      async ({ body, headers }) => {
        const locale = pickLocale(headers["accept-language"]);
        const found = await deps.products.getStoredMany(body.product_ids);
        return {
          results: body.product_ids.map((productId) => {
            const stored = found.get(productId);
            if (stored) return { found: true as const, ...toQuickScoreView(stored) };
            const code = "PRODUCT_NOT_ANALYZED";
            return { product_id: productId, found: false as const, error: { code, message: errorMessage(code, locale) } };
          }),
        };
      },
      {
        body: batchQuickScoreBody,
        response: { 200: batchQuickScoreView, ...errorResponses },
        detail: { summary: "Stored scores of up to 50 products in request order, in one database query", ...secured },
      },
    );
}

/** Stored products, tracking and daily history, under /api/v1/products. */
export function productRoutes(deps: { auth: AuthService; products: ProductService; tracking: TrackingService }) {
  return new Elysia({ prefix: "/api/v1/products", tags: ["products"] })
    .use(authGuard(deps.auth))
    .get(
      "/tracked",
      async ({ auth, query }) => {
        const page = { limit: query.limit ?? 50, offset: query.offset ?? 0 };
        const { total, items } = await deps.tracking.list(auth.accountId, page);
        return { total, limit: page.limit, offset: page.offset, items: items.map(toTrackedItemView) };
      },
      {
        query: pageQuery,
        response: { 200: trackedListView, ...errorResponses },
        detail: { summary: "This account's tracked products with latest figures and score trend", ...secured },
      },
    )
    .get("/:id", async ({ params }) => toAnalysisView(await deps.products.getStored(params.id)), {
      params: productIdParams,
      response: { 200: analysisView, ...errorResponses },
      detail: { summary: "The stored analysis of a product, without calling Uzum", ...secured },
    })
    .post(
      "/:id/track",
      async ({ params, auth, set }) => {
        const result = await deps.tracking.track(auth.accountId, auth.userId, params.id);
        set.status = result.created ? 201 : 200;
        return { product_id: params.id, tracked: true, tracked_since: result.trackedSince.toISOString() };
      },
      {
        params: productIdParams,
        response: { 200: trackingView, 201: trackingView, ...upstreamErrors },
        detail: { summary: "Track a product for this account (analyses it first when never stored)", ...secured },
      },
    )
    .delete(
      "/:id/track",
      async ({ params, auth }) => {
        const untrackedAt = await deps.tracking.untrack(auth.accountId, params.id);
        return { product_id: params.id, tracked: false, untracked_at: untrackedAt.toISOString() };
      },
      {
        params: productIdParams,
        response: {
          200: t.Object({ product_id: t.Integer(), tracked: t.Literal(false), untracked_at: t.String({ format: "date-time" }) }),
          ...errorResponses,
        },
        detail: { summary: "Stop tracking a product for this account", ...secured },
      },
    )
    .get(
      "/:id/snapshots",
      async ({ params, query }) => {
        const days = query.days ?? 30;
        const points = await deps.tracking.dailySeries(params.id, days);
        return { product_id: params.id, days, snapshots: points.map(toDailyPointView) };
      },
      {
        params: productIdParams,
        query: seriesQuery,
        response: { 200: dailySeriesView, ...errorResponses },
        detail: { summary: "Daily snapshots with daily sales per Tashkent day", ...secured },
      },
    );
}
