import { AsyncLocalStorage } from "node:async_hooks";
import pino, { type Logger } from "pino";

/** The request being served, so every log line written while serving it carries its id. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Paths whose values never reach a log line. */
const redactedPaths = [
  "authorization",
  "headers.authorization",
  "req.headers.authorization",
  "password",
  "*.password",
  "token",
  "*.token",
  "access_token",
  "*.access_token",
  "refresh_token",
  "*.refresh_token",
  "cookie",
  "headers.cookie",
];

/**
 * Creates the JSON-lines logger, writing to stdout unless given another destination;
 * `LOG_LEVEL=silent` turns it off (the tests do).
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? "info", destination?: pino.DestinationStream): Logger {
  return pino({
    level,
    base: { service: "ventra" },
    redact: { paths: redactedPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const requestId = requestContext.getStore()?.requestId;
      return requestId ? { requestId } : {};
    },
  }, destination);
}

export const logger = createLogger();
export type { Logger };
