import { Cron } from "croner";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { ConfigError, readInteger, readString, type Env } from "../config";

/** Every scheduled job, by the name used in URLs, logs and `job_runs.job`. */
export const jobNames = ["refresh-tracked", "scrape-weekly-buyers", "snapshot-dedupe", "snapshot-cleanup", "daily-sales"] as const;
export type JobName = (typeof jobNames)[number];

/** Cron expressions (minute hour day month weekday) read in Asia/Tashkent. */
export const defaultSchedules: Record<JobName, string> = {
  "refresh-tracked": "0 */6 * * *",
  "scrape-weekly-buyers": "0 4 * * *",
  "snapshot-dedupe": "30 2 * * *",
  "snapshot-cleanup": "0 3 * * *",
  "daily-sales": "5 * * * *",
};

export const jobTimezone = "Asia/Tashkent";

export interface JobsConfig {
  /** Names this process in `job_runs` and in leases; unique per running instance. */
  instanceId: string;
  /** Cron expression per job; null when the job is switched off. */
  schedules: Record<JobName, string | null>;
  /** How long a lease lasts without renewal; a crashed holder blocks the job at most this long. */
  leaseTtlSeconds: number;
  refresh: {
    /**
     * Products refreshed at once. Their Uzum requests are also capped by UZUM_MAX_CONCURRENCY, so
     * a value above that cap lets storing one product overlap fetching the next.
     */
    concurrency: number;
    /** Products started per second; 0 means no limit beyond the concurrency. */
    ratePerSecond: number;
    /** Attempts per product in one run before it is left for the next run. */
    maxAttempts: number;
  };
}

/** Returns the environment variable with a job's schedule, such as JOB_REFRESH_TRACKED_SCHEDULE. */
export function scheduleVariable(job: JobName): string {
  return `JOB_${job.toUpperCase().replaceAll("-", "_")}_SCHEDULE`;
}

/** Reads the job settings; `uzumMaxConcurrency` bounds the refresh concurrency. */
export function readJobsConfig(env: Env, uzumMaxConcurrency: number): JobsConfig {
  const schedules = {} as Record<JobName, string | null>;
  for (const job of jobNames) schedules[job] = readSchedule(env, scheduleVariable(job), defaultSchedules[job]);

  const concurrency = readInteger(env, "REFRESH_CONCURRENCY", Math.min(8, uzumMaxConcurrency), 1, 256);
  if (concurrency > 2 * uzumMaxConcurrency) {
    throw new ConfigError(
      "REFRESH_CONCURRENCY",
      `must be at most twice UZUM_MAX_CONCURRENCY (${2 * uzumMaxConcurrency}), because more products at once only queue for the Uzum client; got ${concurrency}`,
    );
  }

  return {
    instanceId: readString(env, "JOB_INSTANCE_ID", defaultInstanceId()),
    schedules,
    leaseTtlSeconds: readInteger(env, "JOB_LEASE_TTL_SECONDS", 300, 10, 24 * 3600),
    refresh: {
      concurrency,
      ratePerSecond: readInteger(env, "REFRESH_RATE_PER_SECOND", 5, 0, 10_000),
      maxAttempts: readInteger(env, "REFRESH_MAX_ATTEMPTS", 2, 1, 10),
    },
  };
}

/** Host and process id, plus a random part because containers often all run as process 1 on reused host names. */
function defaultInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** Reads a cron expression, or `off` (returned as null) to switch the job off. */
function readSchedule(env: Env, name: string, fallback: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (raw.toLowerCase() === "off") return null;

  try {
    new Cron(raw, { paused: true, timezone: jobTimezone }).stop();
  } catch (error) {
    throw new ConfigError(name, `expected a cron expression such as "0 */6 * * *" or "off", got "${raw}" (${(error as Error).message})`);
  }
  return raw;
}
