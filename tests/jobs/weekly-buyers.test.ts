import { describe, expect, test } from "bun:test";
import type { JobContext } from "../../src/jobs/scheduler";
import { scrapeWeeklyBuyersJob } from "../../src/jobs/weekly-buyers";

function context(signal = new AbortController().signal): JobContext {
  return {
    runId: 1,
    signal,
    trigger: "schedule",
    actorUserId: null,
    previousRun: undefined,
    saveResumeState: async () => {},
    reportProgress: () => {},
  };
}

describe("scrape-weekly-buyers job", () => {
  test("passes the signal and keeps numeric counts", async () => {
    const controller = new AbortController();
    let received: AbortSignal | undefined;
    const job = scrapeWeeklyBuyersJob({
      async scrapeTracked({ signal }) {
        received = signal;
        return { total: 5, read: 3, bySource: { graphql: 2, html: 1, browser: 0 }, failed: 2, stopped: false, note: "x" };
      },
    });

    const counts = await job.run(context(controller.signal));

    expect(received).toBe(controller.signal);
    expect(counts).toEqual({ total: 5, read: 3, "bySource.graphql": 2, "bySource.html": 1, "bySource.browser": 0, failed: 2 });
  });

  test("fails clearly without a scraper", async () => {
    const job = scrapeWeeklyBuyersJob(undefined);
    await expect(job.run(context())).rejects.toThrow("not part of this build");
  });
});
