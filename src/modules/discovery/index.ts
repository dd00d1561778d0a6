import { Elysia } from "elysia";
import { errorEnvelope, errorResponses } from "../../lib/http";
import { authGuard } from "../admin/auth-guard";
import type { AuthService } from "../admin/auth-service";
import type { DiscoveryConfig } from "./config";
import {
  createdRunView,
  createRunBody,
  leaderboardQuery,
  publicLeaderboardQuery,
  leaderboardView,
  publicLeaderboardView,
  runDetailView,
  runIdParams,
  runListQuery,
  runListView,
  runView,
  toRunView,
  toWinnerView,
} from "./model";
import type { DiscoveryService, Leaderboard } from "./service";

const secured = { security: [{ bearer: [] }] };

/** Category scans and their leaderboards, under /api/v1/discovery. */
export function discoveryRoutes(deps: { auth: AuthService; discovery: DiscoveryService; config: DiscoveryConfig }) {
  const { discovery } = deps;
  const maxProducts = deps.config.maxProducts;

  return (
    new Elysia({ prefix: "/api/v1/discovery", tags: ["discovery"] })
      // Registered before the guard: the public page reads it without signing in.
      .get("/leaderboard/public", async ({ query }) => toPublicLeaderboardView(await discovery.publicLeaderboard(query.category_id)), {
        query: publicLeaderboardQuery,
        response: { 200: publicLeaderboardView, 400: errorEnvelope, 404: errorEnvelope, 422: errorEnvelope, 429: errorEnvelope },
        detail: { summary: "The most recent finished scan of a category, or of any category, across accounts and without account data" },
      })
      .use(authGuard(deps.auth))
      .post(
        "/runs",
        async ({ auth, body, set }) => {
          const run = await discovery.create(auth.accountId, auth.userId, body.input);
          set.status = 202;
          return { id: run.id, status: "PENDING" as const, category_id: run.categoryId };
        },
        {
          body: createRunBody,
          response: { 202: createdRunView, 409: errorEnvelope, ...errorResponses },
          detail: { summary: "Queue a scan of a category by link or id; the scan runs in the background", ...secured },
        },
      )
      .get(
        "/runs",
        async ({ auth, query }) => {
          const page = { limit: query.limit ?? 20, offset: query.offset ?? 0 };
          const { total, rows } = await discovery.list(auth.accountId, page);
          return { total, ...page, items: rows.map((run) => toRunView(run, maxProducts)) };
        },
        {
          query: runListQuery,
          response: { 200: runListView, ...errorResponses },
          detail: { summary: "This account's scans, newest first", ...secured },
        },
      )
      .get(
        "/runs/:id",
        async ({ auth, params }) => {
          const { run, winners } = await discovery.get(auth.accountId, params.id);
          return { ...toRunView(run, maxProducts), winners: winners.map(toWinnerView) };
        },
        {
          params: runIdParams,
          response: { 200: runDetailView, ...errorResponses },
          detail: { summary: "A scan's status, progress, timings, error and winners", ...secured },
        },
      )
      .delete("/runs/:id", async ({ auth, params }) => toRunView(await discovery.cancel(auth.accountId, params.id), maxProducts), {
        params: runIdParams,
        response: { 200: runView, 409: errorEnvelope, ...errorResponses },
        detail: { summary: "Cancel a pending or running scan", ...secured },
      })
      .get("/leaderboard", async ({ auth, query }) => toLeaderboardView(await discovery.leaderboard(auth.accountId, query.category_id)), {
        query: leaderboardQuery,
        response: { 200: leaderboardView, ...errorResponses },
        detail: { summary: "Winners of this account's latest finished scan of a category, with rank changes", ...secured },
      })
  );
}

function toLeaderboardView(board: Leaderboard) {
  return {
    run_id: board.run.id,
    previous_run_id: board.previousRunId,
    ...toPublicLeaderboardView(board),
    source: board.run.source,
  };
}

function toPublicLeaderboardView({ run, winners }: Leaderboard) {
  return {
    category_id: run.categoryId,
    category_name: run.categoryName,
    category_path: run.categoryPath,
    finished_at: run.finishedAt!.toISOString(),
    winners: winners.map(toWinnerView),
  };
}
