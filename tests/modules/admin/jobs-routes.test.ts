import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { auditLog, jobLeases, jobRuns, productSnapshots, products, users } from "../../../src/db/schema";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";

type Role = "SUPER_ADMIN" | "ADMIN" | "MODERATOR" | "USER";

for (const kind of testDatabaseKinds()) {
  describe(`admin jobs routes on ${kind}`, () => {
    let app: TestApp;
    const tokens = {} as Record<Role, string>;
    let superAdminId: string;

    beforeAll(async () => {
      app = await createTestApp({ kind, env: { JOB_SCRAPE_WEEKLY_BUYERS_SCHEDULE: "off" } });
      for (const role of ["SUPER_ADMIN", "ADMIN", "MODERATOR", "USER"] as const) {
        const user = await app.signUp();
        await app.database.db.update(users).set({ role }).where(eq(users.id, user.userId));
        tokens[role] = user.token;
        if (role === "SUPER_ADMIN") superAdminId = user.userId;
      }
    }, 120_000);

    afterAll(() => app.close());

    beforeEach(async () => {
      app.clock.set("2026-03-10T07:00:00Z");
      await app.database.db.delete(jobLeases);
    });

    test("lists jobs with next run", async () => {
      const response = await app.request("GET", "/api/v1/admin/jobs", { token: tokens.MODERATOR });

      expect(response.status).toBe(200);
      const byName = Object.fromEntries(response.body.jobs.map((job: { name: string }) => [job.name, job]));
      expect(Object.keys(byName).sort()).toEqual(["daily-sales", "refresh-tracked", "scrape-weekly-buyers", "snapshot-cleanup", "snapshot-dedupe"]);
      // 12:00 in Tashkent now; the next 6-hourly start is 18:00 Tashkent, 13:00 UTC.
      expect(byName["refresh-tracked"].next_run_at).toBe("2026-03-10T13:00:00.000Z");
      expect(byName["scrape-weekly-buyers"].schedule).toBeNull();
      expect(byName["scrape-weekly-buyers"].next_run_at).toBeNull();
    }, 60_000);

    test("rejects callers without the role", async () => {
      expect((await app.request("GET", "/api/v1/admin/jobs")).status).toBe(401);
      const user = await app.request("GET", "/api/v1/admin/jobs", { token: tokens.USER });
      expect(user.status).toBe(403);
      expect(user.body.error.code).toBe("FORBIDDEN");
      expect((await app.request("GET", "/api/v1/admin/jobs", { token: tokens.ADMIN })).status).toBe(403);
      const moderator = await app.request("POST", "/api/v1/admin/jobs/daily-sales/run", { token: tokens.MODERATOR });
      expect(moderator.status).toBe(403);
    }, 60_000);

    test("triggers a run and lists it", async () => {
      const started = await app.request("POST", "/api/v1/admin/jobs/daily-sales/run", { token: tokens.SUPER_ADMIN });
      expect(started.status).toBe(202);
      expect(started.body.trigger).toBe("manual");
      expect(started.body.triggered_by).toBe(superAdminId);

      // The run finishes in the background; wait for its row to leave "running".
      let outcome = "running";
      while (outcome === "running") {
        const [row] = await app.database.db.select().from(jobRuns).where(eq(jobRuns.id, started.body.id));
        outcome = row.outcome;
        if (outcome === "running") await new Promise((resolve) => setImmediate(resolve));
      }
      expect(outcome).toBe("succeeded");

      const runs = await app.request("GET", "/api/v1/admin/jobs/runs?job=daily-sales&limit=1", { token: tokens.MODERATOR });
      expect(runs.status).toBe(200);
      expect(runs.body.total).toBeGreaterThanOrEqual(1);
      expect(runs.body.items).toHaveLength(1);
      expect(runs.body.items[0].job).toBe("daily-sales");

      const other = await app.request("GET", "/api/v1/admin/jobs/runs?job=snapshot-cleanup", { token: tokens.MODERATOR });
      expect(other.body.items.every((run: { job: string }) => run.job === "snapshot-cleanup")).toBe(true);
    }, 60_000);

    test("running elsewhere is a conflict", async () => {
      await app.database.db.insert(jobLeases).values({
        job: "refresh-tracked",
        holder: "another-instance",
        acquiredAt: app.clock.now(),
        expiresAt: new Date(app.clock.now().getTime() + 60_000),
      });

      const response = await app.request("POST", "/api/v1/admin/jobs/refresh-tracked/run", { token: tokens.SUPER_ADMIN });

      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe("JOB_ALREADY_RUNNING");
      const list = await app.request("GET", "/api/v1/admin/jobs", { token: tokens.MODERATOR });
      expect(list.body.jobs.find((job: { name: string }) => job.name === "refresh-tracked").running).toBe(true);
    }, 60_000);

    test("unknown job is 404", async () => {
      const response = await app.request("POST", "/api/v1/admin/jobs/reindex-everything/run", { token: tokens.SUPER_ADMIN });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("JOB_NOT_FOUND");

      const filtered = await app.request("GET", "/api/v1/admin/jobs/runs?job=reindex-everything", { token: tokens.MODERATOR });
      expect(filtered.status).toBe(400);
      expect(filtered.body.error.code).toBe("JOB_NOT_FOUND");
    }, 60_000);

    test("cleanup dry run, then audited run", async () => {
      await app.database.db.insert(products).values({ id: 961, title: "Dazmol" });
      await app.database.db.insert(productSnapshots).values({
        productId: 961,
        snapshotDate: "2026-03-09",
        capturedAt: new Date("2026-03-09T07:00:00Z"),
        ordersQuantity: 44_512,
        weeklyBuyers: 44_500,
        score: 9,
        scoreVersion: 1,
        scoreWeeklyBuyers: 44_500,
        scoreWeeklyBasis: "current",
      });

      const dry = await app.request("POST", "/api/v1/admin/snapshots/cleanup", { token: tokens.MODERATOR, body: { dry_run: true } });
      expect(dry.status).toBe(200);
      expect(dry.body).toEqual({ dry_run: true, counts: { products: 1, weeklyCleared: 1, scoresRecomputed: 1 }, run_id: null });
      expect(await app.database.db.select().from(auditLog)).toHaveLength(0);

      const refused = await app.request("POST", "/api/v1/admin/snapshots/cleanup", { token: tokens.MODERATOR, body: {} });
      expect(refused.status).toBe(403);

      const real = await app.request("POST", "/api/v1/admin/snapshots/cleanup", { token: tokens.SUPER_ADMIN, body: { dry_run: false } });
      expect(real.status).toBe(200);
      expect(real.body.counts.weeklyCleared).toBe(1);
      const [row] = await app.database.db.select().from(productSnapshots).where(eq(productSnapshots.productId, 961));
      expect(row.weeklyBuyers).toBeNull();

      const [audit] = await app.database.db.select().from(auditLog);
      expect(audit.action).toBe("snapshots.cleanup");
      expect(audit.actorUserId).toBe(superAdminId);
      expect(audit.createdAt).toEqual(app.clock.now());
      expect(audit.after).toMatchObject({ counts: { weeklyCleared: 1 }, jobRunId: real.body.run_id });
    }, 60_000);

    test("dedupe rejects a bad body", async () => {
      const response = await app.request("POST", "/api/v1/admin/snapshots/dedupe", {
        token: tokens.SUPER_ADMIN,
        body: { dry_run: "yes please" },
      });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");

      const dry = await app.request("POST", "/api/v1/admin/snapshots/dedupe", { token: tokens.SUPER_ADMIN, body: { dry_run: true } });
      expect(dry.status).toBe(200);
      expect(dry.body.counts.stagedRows).toBe(0);
    }, 60_000);
  });
}
