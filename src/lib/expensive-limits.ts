import { Elysia } from "elysia";
import type { TokenSigner } from "../modules/admin/tokens";
import type { SharedLimitReceipt, SharedRateLimiter } from "./shared-rate-limit";
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
  limiter: SharedRateLimiter;
  limits: LimitsConfig;
  signer: TokenSigner;
  clock: Clock;
}

/**
 * Statuses of requests that were turned away before they cost anything: a malformed or invalid
 * request, and a discovery run already in progress. They do not count against the limit.
 */
const refundedStatuses = new Set([400, 409, 422]);

/**
 * Counts each call of an expensive route against its caller's per-user limit, before the route
 * runs, so concurrent calls cannot pass it together. The caller is read from a validly signed
 * access token. A request without one is left to the route, which returns 401, and is still
 * counted by the per-IP limit.
 *
 * `refundRejected` takes back a call whose error response has a status in `refundedStatuses`;
 * the HTTP base calls it before the error response is sent.
 */
export function expensiveLimits(options: ExpensiveLimitsOptions) {
  const receipts = new WeakMap<Request, SharedLimitReceipt>();
  const plugin = new Elysia({ name: "expensive-limits" }).onRequest(async ({ request }) => {
    const path = new URL(request.url).pathname;
    const route = expensiveRoutes.find((candidate) => candidate.method === request.method && candidate.path.test(path));
    if (!route) return;

    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    if (!token) return;
    const claims = await options.signer.verify(token, options.clock.now()).catch(() => undefined);
    if (!claims) return;

    receipts.set(request, await options.limiter.hit(route.bucket, claims.userId, options.limits.perUser[route.bucket]));
  });

  const refundRejected = async (request: Request, status: number): Promise<void> => {
    const receipt = receipts.get(request);
    if (receipt && refundedStatuses.has(status)) await options.limiter.refund(receipt);
  };
  return { plugin, refundRejected };
}
