import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config";
import { readOperationsConfig } from "../../src/lib/operations-config";

function configError(env: Record<string, string>): ConfigError {
  try {
    readOperationsConfig(env, "production");
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("readOperationsConfig", () => {
  test("applies the defaults", () => {
    const config = readOperationsConfig({}, "staging-like");
    expect(config.metricsToken).toBeUndefined();
    expect(config.sentryDsn).toBeUndefined();
    expect(config.sentryEnvironment).toBe("staging-like");
    expect(config.shutdownTimeoutMs).toBe(25_000);
  });

  test("accepts a Sentry DSN", () => {
    const dsn = "https://0123abcdef@o1.ingest.sentry.io/4500";
    expect(readOperationsConfig({ SENTRY_DSN: dsn }, "production").sentryDsn).toBe(dsn);
  });

  test("rejects DSNs the SDK would ignore", () => {
    for (const dsn of ["not a url", "https://o1.ingest.sentry.io/4500", "https://public-key@o1.ingest.sentry.io/4500", "ftp://key@host/1"]) {
      const error = configError({ SENTRY_DSN: dsn });
      expect(error.variable).toBe("SENTRY_DSN");
      // The DSN's key stays out of the message, which start-up prints.
      expect(error.message).not.toContain(dsn);
    }
  });

  test("rejects a short METRICS_TOKEN", () => {
    expect(configError({ METRICS_TOKEN: "too-short" }).variable).toBe("METRICS_TOKEN");
  });

  test("bounds SHUTDOWN_TIMEOUT_MS", () => {
    expect(configError({ SHUTDOWN_TIMEOUT_MS: "500" }).variable).toBe("SHUTDOWN_TIMEOUT_MS");
    expect(readOperationsConfig({ SHUTDOWN_TIMEOUT_MS: "5000" }, "test").shutdownTimeoutMs).toBe(5_000);
  });
});
