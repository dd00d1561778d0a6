import { t } from "elysia";
import type { ExtensionStatus } from "../../db/extensions";
import type { Stats } from "./stats";

const dateTime = t.String({ format: "date-time" });

export const extensionView = t.Object({
  name: t.String(),
  available: t.Boolean({ description: "The server can install it" }),
  enabled: t.Boolean({ description: "Installed in this database" }),
  version: t.Union([t.String(), t.Null()]),
});

export const statsView = t.Object({
  generated_at: dateTime,
  snapshot_date: t.String({ format: "date", description: "Today in Tashkent" }),
  accounts: t.Object({ total: t.Integer(), suspended: t.Integer() }),
  users: t.Object({ total: t.Integer(), active: t.Integer() }),
  tracked_products: t.Object({ active: t.Integer({ description: "Open tracking periods" }), distinct_products: t.Integer() }),
  snapshots_today: t.Integer(),
  discovery_runs: t.Union([t.Object({ total: t.Integer() }), t.Null()], { description: "Null while discovery has no table in this build" }),
  jobs: t.Array(
    t.Object({
      job: t.String(),
      outcome: t.String(),
      started_at: dateTime,
      finished_at: t.Union([dateTime, t.Null()]),
      error: t.Union([t.String(), t.Null()]),
    }),
  ),
  uzum: t.Object({
    attempts: t.Integer(),
    errors: t.Integer({ description: "Network errors, timeouts, 429 and 5xx answers" }),
    error_rate: t.Union([t.Number(), t.Null()], { description: "errors / attempts; null before the first attempt" }),
    window_minutes: t.Integer(),
  }),
  ai_this_month: t.Object({ provider_calls: t.Integer(), cost_usd: t.Number() }),
  extensions: t.Array(extensionView),
});

export function toExtensionView(extension: ExtensionStatus) {
  return { name: extension.name, available: extension.available, enabled: extension.enabled, version: extension.version };
}

export function toStatsView(stats: Stats) {
  return {
    generated_at: stats.generatedAt.toISOString(),
    snapshot_date: stats.snapshotDate,
    accounts: stats.accounts,
    users: stats.users,
    tracked_products: { active: stats.trackedProducts.active, distinct_products: stats.trackedProducts.distinctProducts },
    snapshots_today: stats.snapshotsToday,
    discovery_runs: stats.discoveryRuns,
    jobs: stats.jobs.map((run) => ({
      job: run.job,
      outcome: run.outcome,
      started_at: run.startedAt.toISOString(),
      finished_at: run.finishedAt?.toISOString() ?? null,
      error: run.error,
    })),
    uzum: {
      attempts: stats.uzum.attempts,
      errors: stats.uzum.errors,
      error_rate: stats.uzum.errorRate,
      window_minutes: stats.uzum.windowMinutes,
    },
    ai_this_month: { provider_calls: stats.aiThisMonth.providerCalls, cost_usd: stats.aiThisMonth.costUsd },
    extensions: stats.extensions.map(toExtensionView),
  };
}
