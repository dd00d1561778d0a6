import pino, { type Logger } from "pino";

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

/** Creates the JSON-lines logger; `LOG_LEVEL=silent` turns it off (the tests do). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service: "ventra" },
    redact: { paths: redactedPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export const logger = createLogger();
export type { Logger };
