/**
 * Starts the Sentry reporter with SENTRY_DSN, as the service does, then throws an error
 * nothing catches. tests/lib/error-reporter.test.ts runs it in its own process, because the
 * SDK installs process-wide handlers.
 */
import { startSentryReporter } from "../../src/lib/error-reporter";
import { createLogger } from "../../src/lib/logger";

await startSentryReporter({ dsn: process.env.SENTRY_DSN!, environment: "probe", logger: createLogger("silent") });

setTimeout(() => {
  throw new Error("probe: uncaught failure");
}, 0);
