import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq, gt } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { openDatabase, type DatabaseHandle } from "../../src/db/client";
import { accounts, jobLeases, jobRuns, users } from "../../src/db/schema";
import type { JobName } from "../../src/jobs/config";
import { Scheduler, type JobContext, type JobDefinition } from "../../src/jobs/scheduler";
import { AppError } from "../../src/lib/errors";
import { createLogger } from "../../src/lib/logger";
import { FakeClock } from "../../src/lib/time";
import { openTestDatabase, testDatabaseKinds } from "../helpers/database";

const leaseTtlSeconds = 60;

/** Builds a job whose runs wait until the test calls `release`. */
function gatedJob(name: JobName = "daily-sales") {
  const calls: JobContext[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const job: JobDefinition = {
    name,
    description: "test job",
    async run(context) {
      calls.push(context);
      await gate;
      return { items: 3 };
    },
  };
  return { job, calls, release };
}

async function insertUser(database: DatabaseHandle): Promise<string> {
  const [account] = await database.db.insert(accounts).values({ name: "Admin" }).returning();
  const [user] = await database.db
    .insert(users)
    .values({ accountId: account.id, email: `admin-${account.id}@example.uz`, passwordHash: "x", role: "SUPER_ADMIN" })
    .returning();
  return user.id;
}

/** Leases not yet expired, that is, jobs some instance is running. */
function heldLeases(database: DatabaseHandle, clock: FakeClock) {
  return database.db.select().from(jobLeases).where(gt(jobLeases.expiresAt, clock.now()));
}

function schedulerOn(database: DatabaseHandle, clock: FakeClock, instanceId: string, jobs: JobDefinition[], schedules = {}) {
  return new Scheduler({ db: database.db, clock, logger: createLogger("silent"), instanceId, leaseTtlSeconds, schedules, jobs });
}

for (const kind of testDatabaseKinds()) {
  describe(`scheduler on ${kind}`, () => {
    let database: Awaited<ReturnType<typeof openTestDatabase>>;
    let clock: FakeClock;

    beforeEach(async () => {
      database = await openTestDatabase(kind);
      clock = new FakeClock("2026-03-10T07:00:00Z");
    }, 120_000);
    afterEach(() => database.close());

    test("two instances run a tick once", async () => {
      // On PostgreSQL the second instance gets a pool of its own, as another process would.
      const second = kind === "postgres" ? await openDatabase({ url: database.url, maxConnections: 2 }) : database;
      try {
        const { job, calls, release } = gatedJob();
        const first = schedulerOn(database, clock, "instance-a", [job]);
        const other = schedulerOn(second, clock, "instance-b", [job]);

        const ticks = Promise.all([first.tick("daily-sales"), other.tick("daily-sales")]);
        while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
        release();
        const [a, b] = await ticks;

        expect(calls).toHaveLength(1);
        expect([a, b].filter((run) => run === undefined)).toHaveLength(1);
        const runs = await database.db.select().from(jobRuns);
        expect(runs).toHaveLength(1);
        expect(runs[0].outcome).toBe("succeeded");
        expect(runs[0].counts).toEqual({ items: 3 });
      } finally {
        if (second !== database) await second.close();
      }
    }, 60_000);

    test("late clock does not rerun a tick", async () => {
      const { job, calls, release } = gatedJob();
      release();
      const hourly = { "daily-sales": "5 * * * *" };
      const punctual = schedulerOn(database, clock, "instance-a", [job], hourly);
      const late = schedulerOn(database, clock, "instance-b", [job], hourly);

      clock.set("2026-03-10T07:05:00Z");
      expect((await punctual.tick("daily-sales"))?.outcome).toBe("succeeded");
      // The other instance's clock reaches the same tick after the run has ended.
      clock.set("2026-03-10T07:05:40Z");
      expect(await late.tick("daily-sales")).toBeUndefined();
      expect(calls).toHaveLength(1);

      clock.set("2026-03-10T08:05:00Z");
      expect((await late.tick("daily-sales"))?.outcome).toBe("succeeded");
      expect(calls).toHaveLength(2);
    }, 60_000);

    test("records a failed run and keeps going", async () => {
      const failing: JobDefinition = {
        name: "snapshot-cleanup",
        description: "fails",
        run: async () => {
          throw new Error("database went away");
        },
      };
      const scheduler = schedulerOn(database, clock, "instance-a", [failing]);

      const run = await scheduler.tick("snapshot-cleanup");
      expect(run?.outcome).toBe("failed");
      expect(run?.error).toBe("database went away");
      expect(run?.finishedAt).toEqual(clock.now());

      const again = await scheduler.tick("snapshot-cleanup");
      expect(again?.outcome).toBe("failed");
      expect(await heldLeases(database, clock)).toHaveLength(0);
    }, 60_000);

    test("lease of a crashed holder expires", async () => {
      const { job, release } = gatedJob();
      release();
      const startedAt = clock.now();
      await database.db.insert(jobLeases).values({
        job: "daily-sales",
        holder: "crashed-instance",
        acquiredAt: startedAt,
        expiresAt: new Date(startedAt.getTime() + leaseTtlSeconds * 1000),
      });
      const [crashed] = await database.db
        .insert(jobRuns)
        .values({ job: "daily-sales", instanceId: "crashed-instance", trigger: "schedule", startedAt })
        .returning();
      const scheduler = schedulerOn(database, clock, "instance-b", [job]);

      clock.advance(leaseTtlSeconds * 1000 - 1);
      expect(await scheduler.tick("daily-sales")).toBeUndefined();

      clock.advance(1);
      const run = await scheduler.tick("daily-sales");
      expect(run?.outcome).toBe("succeeded");
      const [closed] = await database.db.select().from(jobRuns).where(eq(jobRuns.id, crashed.id));
      expect(closed.outcome).toBe("interrupted");
    }, 60_000);

    test("manual trigger while running is a conflict", async () => {
      const { job, calls, release } = gatedJob();
      const scheduler = schedulerOn(database, clock, "instance-a", [job]);

      const actorUserId = await insertUser(database);

      const tick = scheduler.tick("daily-sales");
      while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const refused = await scheduler.trigger("daily-sales", { actorUserId }).catch((error) => error);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).status).toBe(409);
      expect((refused as AppError).code).toBe("JOB_ALREADY_RUNNING");
      release();
      await tick;

      const manual = await scheduler.trigger("daily-sales", { actorUserId, wait: true });
      expect(manual.trigger).toBe("manual");
      expect(manual.triggeredBy).toBe(actorUserId);
    }, 60_000);

    test("unknown job is not found", async () => {
      const scheduler = schedulerOn(database, clock, "instance-a", []);
      const error = await scheduler.trigger("no-such-job", { actorUserId: crypto.randomUUID() }).catch((caught) => caught);
      expect((error as AppError).code).toBe("JOB_NOT_FOUND");
      expect((error as AppError).status).toBe(404);
    }, 60_000);

    test("stop interrupts after the current item", async () => {
      let itemsDone = 0;
      let itemStarted!: () => void;
      const started = new Promise<void>((resolve) => (itemStarted = resolve));
      const job: JobDefinition = {
        name: "refresh-tracked",
        description: "items until stopped",
        async run({ signal }) {
          while (!signal.aborted) {
            itemStarted();
            await new Promise((resolve) => setImmediate(resolve));
            itemsDone++;
          }
          return { itemsDone };
        },
      };
      const scheduler = schedulerOn(database, clock, "instance-a", [job]);
      const tick = scheduler.tick("refresh-tracked");
      await started;

      await scheduler.stop();
      const run = await tick;
      expect(run?.outcome).toBe("interrupted");
      expect(run?.counts.itemsDone).toBeGreaterThan(0);
      expect(await heldLeases(database, clock)).toHaveLength(0);
      expect(await scheduler.tick("refresh-tracked")).toBeUndefined();
    }, 60_000);
  });
}

describe("schedules", () => {
  const clock = new FakeClock("2026-03-08T18:30:00Z");
  const job: JobDefinition = { name: "daily-sales", description: "", run: async () => ({}) };
  const scheduler = (schedule: string | null) =>
    new Scheduler({
      db: undefined as never,
      clock,
      logger: createLogger("silent"),
      instanceId: "schedules",
      leaseTtlSeconds,
      schedules: { "daily-sales": schedule },
      jobs: [job],
    });

  test("week starts Monday 00:00 Tashkent", () => {
    // Sunday 23:30 in Tashkent is Sunday 18:30 UTC; Monday 00:00 in Tashkent is Sunday 19:00 UTC.
    expect(scheduler("0 0 * * 1").nextRunAt("daily-sales")).toEqual(new Date("2026-03-08T19:00:00Z"));
  });

  test("hourly schedule runs on Tashkent hours", () => {
    expect(scheduler("5 * * * *").nextRunAt("daily-sales")).toEqual(new Date("2026-03-08T19:05:00Z"));
  });

  test("off means no next run", () => {
    expect(scheduler(null).nextRunAt("daily-sales")).toBeNull();
  });

  test("config rejects a bad expression", () => {
    expect(() => loadConfig({ JOB_DAILY_SALES_SCHEDULE: "every hour", JWT_SECRET: "x".repeat(32) })).toThrow(
      "JOB_DAILY_SALES_SCHEDULE",
    );
  });

  test("config reads off", () => {
    const config = loadConfig({ JOB_SNAPSHOT_CLEANUP_SCHEDULE: "off", JWT_SECRET: "x".repeat(32) });
    expect(config.jobs.schedules["snapshot-cleanup"]).toBeNull();
    expect(config.jobs.schedules["refresh-tracked"]).toBe("0 */6 * * *");
  });

  test("config keeps refresh within the client limit", () => {
    expect(loadConfig({ UZUM_MAX_CONCURRENCY: "4", REFRESH_CONCURRENCY: "8", JWT_SECRET: "x".repeat(32) }).jobs.refresh.concurrency).toBe(8);
    expect(() => loadConfig({ UZUM_MAX_CONCURRENCY: "4", REFRESH_CONCURRENCY: "9", JWT_SECRET: "x".repeat(32) })).toThrow(
      "REFRESH_CONCURRENCY",
    );
  });
});
