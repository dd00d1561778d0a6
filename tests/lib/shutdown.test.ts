import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/lib/logger";
import { shutDown, type ShutdownStep } from "../../src/lib/shutdown";

const logger = createLogger("silent");

/** A step that records when it starts and ends in `events`. */
function step(name: string, events: string[], work: () => Promise<void> = async () => {}): ShutdownStep {
  return {
    name,
    run: async () => {
      events.push(`${name}:start`);
      await work();
      events.push(`${name}:end`);
    },
  };
}

describe("shutDown", () => {
  test("drains together, then closes in order", async () => {
    const events: string[] = [];
    let releaseHttp!: () => void;
    const http = step("http", events, () => new Promise((resolve) => (releaseHttp = resolve)));
    const jobs = step("jobs", events, async () => releaseHttp());

    const result = await shutDown(
      { drain: [http, jobs], close: [step("browser", events), step("database", events)] },
      { timeoutMs: 10_000, logger },
    );

    expect(result.completed).toBe(true);
    expect(events.slice(0, 2)).toEqual(["http:start", "jobs:start"]);
    expect(events.slice(-4)).toEqual(["browser:start", "browser:end", "database:start", "database:end"]);
    expect(events.indexOf("http:end")).toBeLessThan(events.indexOf("browser:start"));
  });

  test("forces a drain step past its time and still closes", async () => {
    const events: string[] = [];
    let forced = false;
    const stuck: ShutdownStep = { name: "http", run: () => new Promise(() => {}), force: () => void (forced = true) };

    const result = await shutDown({ drain: [stuck], close: [step("database", events)] }, { timeoutMs: 50, logger });

    expect(result.completed).toBe(false);
    expect(result.timedOut).toEqual(["http"]);
    expect(forced).toBe(true);
    expect(events).toEqual(["database:start", "database:end"]);
  });

  test("records a failed step and runs the rest", async () => {
    const events: string[] = [];
    const broken: ShutdownStep = {
      name: "browser",
      run: () => {
        throw new Error("close failed");
      },
    };

    const result = await shutDown({ drain: [], close: [broken, step("database", events)] }, { timeoutMs: 1_000, logger });

    expect(result.completed).toBe(false);
    expect(result.failed).toEqual(["browser"]);
    expect(result.timedOut).toEqual([]);
    expect(events).toEqual(["database:start", "database:end"]);
  });
});
