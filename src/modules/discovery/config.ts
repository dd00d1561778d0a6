import { ConfigError, readInteger, type Env } from "../../config";

export interface DiscoveryConfig {
  /** Products a scan lists and fetches at most, in Uzum's order of most orders first. */
  maxProducts: number;
  /** Winners stored per run. */
  winnerCount: number;
  /** Products fetched at once; at most UZUM_MAX_CONCURRENCY, the Uzum client's own limit. */
  concurrency: number;
  /** Products started per second; 0 means no limit beyond the concurrency. */
  ratePerSecond: number;
  /** How often a worker renews its claim and stores progress. */
  heartbeatMs: number;
  /** A RUNNING run without a heartbeat for this long is taken over by another worker. */
  staleAfterMs: number;
  /** Claims per run; a stale run that has used them all fails instead. */
  maxAttempts: number;
  /** How often an idle worker looks for a new run. */
  pollMs: number;
}

/** Reads the DISCOVERY_* variables; `uzumMaxConcurrency` bounds the concurrency. */
export function readDiscoveryConfig(env: Env, uzumMaxConcurrency: number): DiscoveryConfig {
  const concurrency = readInteger(env, "DISCOVERY_CONCURRENCY", Math.min(8, uzumMaxConcurrency), 1, 256);
  if (concurrency > uzumMaxConcurrency) {
    throw new ConfigError(
      "DISCOVERY_CONCURRENCY",
      `must not exceed UZUM_MAX_CONCURRENCY (${uzumMaxConcurrency}), because workers beyond it only wait for the Uzum client; got ${concurrency}`,
    );
  }

  const heartbeatMs = readInteger(env, "DISCOVERY_HEARTBEAT_MS", 3_000, 10, 60_000);
  const staleAfterMs = readInteger(env, "DISCOVERY_STALE_AFTER_MS", 60_000, 1_000, 3_600_000);
  if (staleAfterMs < 3 * heartbeatMs) {
    throw new ConfigError(
      "DISCOVERY_STALE_AFTER_MS",
      `must be at least 3 heartbeats (DISCOVERY_HEARTBEAT_MS ${heartbeatMs} × 3), so one slow heartbeat does not hand a live run to another worker; got ${staleAfterMs}`,
    );
  }

  return {
    maxProducts: readInteger(env, "DISCOVERY_MAX_PRODUCTS", 500, 1, 10_000),
    winnerCount: readInteger(env, "DISCOVERY_WINNERS", 20, 1, 100),
    concurrency,
    ratePerSecond: readInteger(env, "DISCOVERY_RATE_PER_SECOND", 10, 0, 10_000),
    heartbeatMs,
    staleAfterMs,
    maxAttempts: readInteger(env, "DISCOVERY_MAX_ATTEMPTS", 3, 1, 10),
    pollMs: readInteger(env, "DISCOVERY_POLL_MS", 2_000, 10, 60_000),
  };
}
