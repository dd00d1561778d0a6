import { Elysia } from "elysia";
import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "../../lib/errors";
import { errorEnvelope } from "../../lib/http";
import type { Metrics } from "../../lib/metrics";

export interface MetricsRoutesDeps {
  metrics: Metrics;
  /** Bearer token the scraper must send; undefined leaves the route open. */
  token: string | undefined;
}

/** `GET /metrics` in Prometheus text format, behind METRICS_TOKEN when it is set. */
export function metricsRoutes(deps: MetricsRoutesDeps) {
  return new Elysia({ tags: ["operations"] }).get(
    "/metrics",
    async ({ request, set }) => {
      if (deps.token !== undefined && !bearerMatches(request.headers.get("authorization"), deps.token)) {
        throw new AppError(401, "INVALID_METRICS_TOKEN");
      }
      set.headers["content-type"] = deps.metrics.contentType;
      return deps.metrics.render();
    },
    {
      response: { 401: errorEnvelope, 429: errorEnvelope },
      detail: {
        summary: "Prometheus metrics; send `Authorization: Bearer <METRICS_TOKEN>` when the token is set",
        security: [{ bearer: [] }],
      },
    },
  );
}

/** Compares digests, so the time taken does not reveal how much of the token matched. */
function bearerMatches(header: string | null, token: string): boolean {
  const match = header?.match(/^Bearer\s+(.+)$/i);
  if (!match) return false;

  const sent = createHash("sha256").update(match[1].trim()).digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(sent, expected);
}
