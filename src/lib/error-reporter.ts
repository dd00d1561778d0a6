import type { Logger } from "./logger";

/** Where the failed request came from, attached to the report. */
export interface ErrorContext {
  requestId?: string;
  method?: string;
  path?: string;
  status?: number;
}

/** Sends errors to an error tracker. The disabled reporter sends nothing. */
export interface ErrorReporter {
  readonly enabled: boolean;
  capture(error: unknown, context?: ErrorContext): void;
  /** Sends queued reports, waiting at most `timeoutMs`; called on shutdown. */
  flush(timeoutMs: number): Promise<void>;
}

export const disabledReporter: ErrorReporter = {
  enabled: false,
  capture: () => {},
  flush: async () => {},
};

export interface SentryReporterOptions {
  dsn: string;
  environment: string;
  logger: Logger;
}

/**
 * Starts Sentry's Bun SDK, which also reports uncaught exceptions and unhandled rejections
 * through its default integrations. Call it once per process, because the SDK keeps global
 * state. The SDK is imported here, so a service without SENTRY_DSN never loads it.
 */
export async function startSentryReporter(options: SentryReporterOptions): Promise<ErrorReporter> {
  const Sentry = await import("@sentry/bun");
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    // Errors only: no performance traces are sent.
    tracesSampleRate: 0,
  });
  options.logger.info({ environment: options.environment }, "sentry.started");

  return {
    enabled: true,
    capture(error, context = {}) {
      Sentry.withScope((scope) => {
        if (context.requestId) scope.setTag("request_id", context.requestId);
        if (context.status) scope.setTag("status", String(context.status));
        if (context.method && context.path) scope.setTag("route", `${context.method} ${context.path}`);
        scope.setContext("request", { ...context });
        Sentry.captureException(error);
      });
    },
    async flush(timeoutMs) {
      const sent = await Sentry.flush(timeoutMs);
      if (!sent) options.logger.warn({ timeoutMs }, "sentry.flush_timed_out");
    },
  };
}
