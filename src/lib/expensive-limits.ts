import { Elysia } from "elysia";
import type { TokenSigner } from "../modules/admin/tokens";
import type { RateLimiter } from "./rate-limit";
import type { ExpensiveBucket, LimitsConfig } from "./rate-limit-config";
import type { Clock } from "./time";

/**
 * The endpoints that cost Uzum requests, a browser page or model tokens, by method and path.
 * Kept in one table so a new expensive route is limited by adding a line here, whichever module owns it.
 */
export const expensiveRoutes: Array<{ method: string; path: RegExp; bucket: ExpensiveBucket }> = [
  { method: "POST", path: /^\/api\/v1\/uzum\/analyze$/, bucket: "analyze" },
  { method: "GET", path: /^\/api\/v1\/uzum\/product\/[^/]+$/, bucket: "analyze" },
  { method: "POST", path: /^\/api\/v1\/uzum\/product\/[^/]+\/weekly-buyers$/, bucket: "weekly_buyers_refresh" },
  { method: "POST", path: /^\/api\/v1\/discovery\/runs$/, bucket: "discovery_run" },
  { method: "POST", path: /^\/api\/v1\/ai\/explain\/[^/]+$/, bucket: "ai_explain" },
];

export interface ExpensiveLimitsOptions {
  limiter: RateLimiter;
  limits: LimitsConfig;
  signer: TokenSigner;
  clock: Clock;
}

/**
 * Counts each call of an expensive route against its caller's per-user limit, before the route
 * runs. The caller is read from a validly signed access token; a request without one is left to
 * the route, which returns 401, and is still counted by the per-IP limit.
 */
export function expensiveLimits(options: ExpensiveLimitsOptions) {
  return new Elysia({ name: "expensive-limits" }).onRequest(async ({ request }) => {
    const path = new URL(request.url).pathname;
    const route = expensiveRoutes.find((candidate) => candidate.method === request.method && candidate.path.test(path));
    if (!route) return;

    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) return;
    const claims = await options.signer.verify(token, options.clock.now()).catch(() => undefined);
    if (!claims) return;

    options.limiter.hit(route.bucket, claims.userId, options.limits.perUser[route.bucket]);
  });
}
