import { ConfigError, readInteger, readString, type Env } from "../config";

export interface OperationsConfig {
  /** Bearer token that `GET /metrics` requires; unset leaves the route open. */
  metricsToken: string | undefined;
  /** Sentry project DSN; unset means no error is sent anywhere. */
  sentryDsn: string | undefined;
  /** Environment name on Sentry events, such as `production` or `staging`. */
  sentryEnvironment: string;
  /** Time a SIGTERM or SIGINT gives in-flight requests and running jobs before the process exits. */
  shutdownTimeoutMs: number;
}

/** Reads METRICS_TOKEN, SENTRY_DSN, SENTRY_ENVIRONMENT and SHUTDOWN_TIMEOUT_MS. */
export function readOperationsConfig(env: Env, nodeEnv: string): OperationsConfig {
  const metricsToken = env.METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError("METRICS_TOKEN", "must be at least 16 characters long");
  }

  return {
    metricsToken,
    sentryDsn: readSentryDsn(env),
    sentryEnvironment: readString(env, "SENTRY_ENVIRONMENT", nodeEnv),
    shutdownTimeoutMs: readInteger(env, "SHUTDOWN_TIMEOUT_MS", 25_000, 1_000, 600_000),
  };
}

/** Validates a DSN of the form `https://<public key>@<host>/<project id>`. */
function readSentryDsn(env: Env): string | undefined {
  const raw = env.SENTRY_DSN?.trim();
  if (!raw) return undefined;

  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  const projectId = url?.pathname.split("/").pop();
  // The SDK accepts a key of word characters only and otherwise sends nothing, without an error.
  if (!url || !["http:", "https:"].includes(url.protocol) || !/^\w+$/.test(url.username) || !projectId) {
    // The DSN carries the project's key, so the message does not repeat it.
    throw new ConfigError("SENTRY_DSN", "expected a Sentry DSN such as https://<public key>@o0.ingest.sentry.io/<project id>");
  }
  return raw;
}
