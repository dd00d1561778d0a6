import { Elysia, StatusMap, t, ValidationError } from "elysia";
import { randomUUID } from "node:crypto";
import { AppError, UpstreamError } from "./errors";
import { requestContext, type Logger } from "./logger";
import { errorMessage, pickLocale, type Locale } from "./messages";
import { RateLimitedError } from "./rate-limit";
import type { Metrics } from "./metrics";

/** The one error body every route returns. */
export const errorEnvelope = t.Object(
  {
    error: t.Object({
      code: t.String({ description: "Stable machine-readable code, such as INVALID_PRODUCT_URL" }),
      message: t.String({ description: "Text for a person, in the language of Accept-Language (uz, ru, en)" }),
      details: t.Optional(t.Unknown()),
    }),
  },
  { description: "Error" },
);

/** Documented error answers, to spread into a route's `response`. */
export const errorResponses = {
  400: errorEnvelope,
  401: errorEnvelope,
  404: errorEnvelope,
  422: errorEnvelope,
  429: errorEnvelope,
} as const;

interface RequestState {
  requestId: string;
  locale: Locale;
  log: Logger;
  startedAt: number;
}

const requestStates = new WeakMap<Request, RequestState>();

/** Per-request state set when the request arrives, so even a body that fails to parse has a request id. */
export function requestState(request: Request): RequestState | undefined {
  return requestStates.get(request);
}

export interface HttpBaseOptions {
  logger: Logger;
  /** Hide validation details and internal messages, as production should. */
  production: boolean;
  /** Counts every response by route and status, with its latency. */
  metrics?: Metrics;
  /** Receives every error answered with a 5xx status, such as the Sentry reporter's `capture`. */
  reportError?: (error: unknown, context: { requestId?: string; method: string; path: string; status: number }) => void;
  /** Receives the status of every error response before it is sent; the response waits for it. */
  onErrorResponse?: (request: Request, status: number) => void | Promise<void>;
  /** Returns the methods the app serves at a path, so a known path with another method gets 405 instead of 404. */
  allowedMethods?: (path: string) => string[];
}

/**
 * Request ids, per-request logging, and the mapping of every error to the envelope
 * with a localised message. Unknown failures are logged with their stack and answered 500.
 */
export function httpBase(options: HttpBaseOptions) {
  return new Elysia({ name: "http-base" })
    .onRequest(({ request, set }) => {
      const incoming = request.headers.get("x-request-id");
      const requestId = incoming && /^[\w.-]{1,100}$/.test(incoming) ? incoming : randomUUID();
      requestContext.enterWith({ requestId });
      requestStates.set(request, {
        requestId,
        locale: pickLocale(request.headers.get("accept-language")),
        log: options.logger,
        startedAt: performance.now(),
      });
      set.headers["x-request-id"] = requestId;
    })
    .derive({ as: "global" }, ({ request }) => {
      const state = requestStates.get(request)!;
      return { requestId: state.requestId, locale: state.locale, log: state.log };
    })
    .onError({ as: "global" }, async ({ error, code, request, set }) => {
      const state = requestStates.get(request);
      const locale = state?.locale ?? "uz";
      let mapped = mapError(error, code, options.production);
      if (mapped.code === "ROUTE_NOT_FOUND") {
        const allowed = options.allowedMethods?.(new URL(request.url).pathname) ?? [];
        if (allowed.length > 0) {
          mapped = { status: 405, code: "METHOD_NOT_ALLOWED", details: { allowed_methods: allowed } };
          set.headers.allow = allowed.join(", ");
        }
      }

      if (isDeclaredUnavailable(error)) {
        // A part switched off or not ready yet, such as the bot without a token: a state, not a fault.
        state?.log.warn({ code: mapped.code, method: request.method, path: new URL(request.url).pathname }, "request.unavailable");
      } else if (mapped.status >= 500) {
        const path = new URL(request.url).pathname;
        state?.log.error({ err: error, method: request.method, path }, "request.failed");
        options.reportError?.(error, { requestId: state?.requestId, method: request.method, path, status: mapped.status });
      }
      await options.onErrorResponse?.(request, mapped.status);
      set.status = mapped.status;
      set.headers["content-type"] = "application/json; charset=utf-8";
      if (error instanceof RateLimitedError) set.headers["retry-after"] = String(error.retryAfterSeconds);
      if (state) set.headers["x-request-id"] = state.requestId;
      return {
        error: {
          code: mapped.code,
          message: errorMessage(mapped.code, locale),
          ...(mapped.details === undefined ? {} : { details: mapped.details }),
        },
      };
    })
    .onAfterResponse({ as: "global" }, (context) => {
      const { request, set } = context;
      const state = requestStates.get(request);
      if (!state) return;
      const durationMs = performance.now() - state.startedAt;
      state.log.info(
        {
          method: request.method,
          path: new URL(request.url).pathname,
          status: set.status,
          durationMs: Math.round(durationMs),
        },
        "request.completed",
      );
      // `route` is the matched template, such as /api/v1/products/:id; Elysia leaves it unset when no route matched.
      const route = (context as { route?: string }).route || undefined;
      options.metrics?.recordHttpRequest({ method: request.method, route, status: statusCode(set.status), durationMs });
    });
}

/** Elysia lets a handler set the status by name, such as "Not Found"; metrics need the number. */
function statusCode(status: number | string | undefined): number {
  if (typeof status === "number") return status;
  if (status === undefined) return 200;
  return (StatusMap as Record<string, number>)[status] ?? 200;
}

interface MappedError {
  status: number;
  code: string;
  details?: unknown;
}

/**
 * Returns a validation issue's message. For a choice of fixed values TypeBox's summary names only
 * their types ("should be one of: 'string', 'string'"), so the values themselves are listed instead.
 */
function issueMessage(issue: { message: string; summary?: string; path?: string; schema?: unknown }): string {
  const choices = (issue.schema as { anyOf?: Array<{ const?: unknown }> } | undefined)?.anyOf;
  if (choices && choices.length > 0 && choices.every((choice) => choice.const !== undefined)) {
    const subject = issue.path ? `Property '${issue.path.replace(/^\//, "")}'` : "The value";
    return `${subject} should be one of: ${choices.map((choice) => JSON.stringify(choice.const)).join(", ")}`;
  }
  return issue.summary || issue.message;
}

/** Returns whether the service raised this 503 on purpose; an upstream's 503 is still a failure worth reporting. */
function isDeclaredUnavailable(error: unknown): boolean {
  return error instanceof AppError && !(error instanceof UpstreamError) && error.status === 503;
}

function mapError(error: unknown, code: string | number, production: boolean): MappedError {
  if (error instanceof AppError) return { status: error.status, code: error.code, details: error.details };

  if (error instanceof ValidationError || code === "VALIDATION") {
    const validation = error as ValidationError;
    const details = production
      ? undefined
      : {
          on: validation.type,
          errors: validation.all.slice(0, 10).map((issue) => ({
            path: "path" in issue ? issue.path : undefined,
            message: issueMessage(issue),
          })),
        };
    return { status: 422, code: "VALIDATION_FAILED", details };
  }

  if (code === "PARSE") return { status: 400, code: "INVALID_JSON" };
  if (code === "NOT_FOUND") return { status: 404, code: "ROUTE_NOT_FOUND" };

  // Elysia raises a plain status for cases like an oversized body; keep any 4xx it chose.
  const status = (error as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return { status, code: status === 413 ? "PAYLOAD_TOO_LARGE" : "BAD_REQUEST" };
  }
  return { status: 500, code: "INTERNAL_ERROR" };
}

/**
 * Returns a lookup of the methods served at a path, built from an app's route table. Path
 * parameters such as `:id` match one segment and a trailing `*` matches the rest.
 */
export function methodsByPath(routes: ReadonlyArray<{ method: string; path: string }>): (path: string) => string[] {
  const patterns = routes.map((route) => ({
    method: route.method.toUpperCase(),
    pattern: new RegExp(`^${route.path.split("/").map(segmentPattern).join("/")}/?$`),
  }));
  return (path) => [...new Set(patterns.filter((entry) => entry.pattern.test(path)).map((entry) => entry.method))].sort();
}

function segmentPattern(segment: string): string {
  if (segment.startsWith(":")) return "[^/]+";
  if (segment === "*") return ".*";
  return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
