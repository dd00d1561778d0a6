import type { JobDefinition } from "./scheduler";

/** The weekly-buyers scrape as this job needs it; the Uzum module provides it. */
export interface WeeklyBuyersScrape {
  /** Reads the weekly-buyers banner of tracked products; returns a summary of what it did. */
  scrapeTracked(options: { signal?: AbortSignal }): Promise<object>;
}

export function scrapeWeeklyBuyersJob(scrape: WeeklyBuyersScrape | undefined): JobDefinition {
  return {
    name: "scrape-weekly-buyers",
    description: "Read the weekly-buyers banner of tracked products",
    async run({ signal }) {
      if (!scrape) throw new Error("The weekly-buyers scrape is not part of this build");
      return numericFields(await scrape.scrapeTracked({ signal }));
    },
  };
}

/**
 * Keeps the numeric fields of a summary, because `job_runs.counts` stores only numbers. Numbers
 * one object deep are kept under a dotted name, such as `bySource.graphql`.
 */
function numericFields(summary: object, prefix = "", counts: Record<string, number> = {}): Record<string, number> {
  for (const [key, value] of Object.entries(summary)) {
    if (typeof value === "number" && Number.isFinite(value)) counts[prefix + key] = value;
    else if (!prefix && value !== null && typeof value === "object") numericFields(value, `${key}.`, counts);
  }
  return counts;
}
