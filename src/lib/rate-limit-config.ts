import { ConfigError, readInteger, type Env } from "../config";
import type { LimitRule } from "./rate-limit";

/** Endpoints whose every call costs Uzum requests, a browser page or model tokens. */
export const expensiveBuckets = ["analyze", "weekly_buyers_refresh", "discovery_run", "ai_explain"] as const;
export type ExpensiveBucket = (typeof expensiveBuckets)[number];

export interface LimitsConfig {
  /** Requests per minute from one IP address, on every route. */
  perIpPerMinute: number;
  /** Login attempts per email and IP address in `login.windowMs`. */
  login: LimitRule;
  /** Calls per user per window of each expensive endpoint. */
  perUser: Record<ExpensiveBucket, LimitRule>;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Read the client address from X-Forwarded-For; set only behind a reverse proxy that overwrites it. */
  trustProxy: boolean;
}

const minute = 60_000;
const hour = 60 * minute;

/** Reads RATE_LIMIT_* and MAX_BODY_BYTES; every limit is a whole number of calls in its window. */
export function readLimitsConfig(env: Env): LimitsConfig {
  return {
    perIpPerMinute: readInteger(env, "RATE_LIMIT_PER_IP_PER_MINUTE", 120, 1, 1_000_000),
    login: { limit: readInteger(env, "RATE_LIMIT_LOGIN_PER_15_MINUTES", 5, 1, 10_000), windowMs: 15 * minute },
    perUser: {
      analyze: { limit: readInteger(env, "RATE_LIMIT_ANALYZE_PER_MINUTE", 30, 1, 100_000), windowMs: minute },
      weekly_buyers_refresh: {
        limit: readInteger(env, "RATE_LIMIT_WEEKLY_BUYERS_REFRESH_PER_HOUR", 30, 1, 100_000),
        windowMs: hour,
      },
      discovery_run: { limit: readInteger(env, "RATE_LIMIT_DISCOVERY_RUNS_PER_HOUR", 10, 1, 100_000), windowMs: hour },
      ai_explain: { limit: readInteger(env, "RATE_LIMIT_AI_EXPLAIN_PER_HOUR", 20, 1, 100_000), windowMs: hour },
    },
    maxBodyBytes: readInteger(env, "MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024),
    trustProxy: readBoolean(env, "TRUST_PROXY"),
  };
}

function readBoolean(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new ConfigError(name, `expected true or false, got "${env[name]}"`);
}
