import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq, inArray } from "drizzle-orm";
import { accounts, productSnapshots, products } from "../../src/db/schema";
import { loadConfig } from "../../src/config";
import { createScheduler } from "../../src/jobs";
import type { ProductRefreshed } from "../../src/jobs/refresh-events";
import { createLogger } from "../../src/lib/logger";
import { createTestApp, type TestApp } from "../helpers/app";
import { testDatabaseKinds } from "../helpers/database";
import { json, startStub, type StubServer } from "../helpers/stub-server";
import { wireProduct } from "../helpers/uzum-wire";

/** Total orders the stub reports per product id; a missing id returns 404. */
const orders = new Map<number, number>();
/** Product ids the stub fails with 500. */
const failing = new Set<number>();

const jobEnv = {
  UZUM_MAX_RETRIES: "0",
  WEEKLY_BUYERS_BUDGET_MS: "0",
  REFRESH_CONCURRENCY: "1",
  REFRESH_RATE_PER_SECOND: "0",
};

function requestedIds(uzum: StubServer): number[] {
  return uzum.requests.map((request) => Number(/\/product\/(\d+)$/.exec(request.path)?.[1]));
}

for (const kind of testDatabaseKinds()) {
  describe(`refresh-tracked on ${kind}`, () => {
    let uzum: StubServer;
    let app: TestApp;

    beforeEach(async () => {
      orders.clear();
      failing.clear();
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        if (failing.has(id)) return json({ error: "boom" }, 500);
        const total = orders.get(id);
        return total === undefined ? json({}, 404) : json(wireProduct({ id, orders: total }));
      });
      app = await createTestApp({
        kind,
        env: { ...jobEnv, UZUM_API_URL: uzum.url },
      });
    }, 120_000);

    afterEach(async () => {
      await app.close();
      await uzum.stop();
    });

    /** Tracks the products for a new account, each analysed at its own time, oldest first. */
    async function trackAt(ids: number[], startIso = "2026-03-10T05:00:00Z") {
      const seller = await app.signUp();
      app.clock.set(startIso);
      for (const id of ids) {
        orders.set(id, 100);
        app.clock.advance(60_000);
        const tracked = await app.request("POST", `/api/v1/products/${id}/track`, { token: seller.token });
        expect(tracked.status).toBe(201);
      }
      return seller;
    }

    test("refreshes oldest first", async () => {
      await trackAt([703, 701, 702]);
      const suspended = await trackAt([704]);
      await app.database.db.update(accounts).set({ status: "SUSPENDED" }).where(eq(accounts.id, suspended.accountId));
      const untracking = await trackAt([705]);
      await app.request("DELETE", "/api/v1/products/705/track", { token: untracking.token });
      for (const id of [701, 702, 703]) orders.set(id, 150);
      uzum.requests.length = 0;
      app.clock.set("2026-03-10T12:00:00Z");

      const run = await app.services.scheduler.tick("refresh-tracked");

      expect(run?.outcome).toBe("succeeded");
      expect(requestedIds(uzum)).toEqual([703, 701, 702]);
      expect(run?.counts).toEqual({ candidates: 3, refreshed: 3, failed: 0, notFound: 0, retries: 0 });
      const stored = await app.database.db.select().from(products).where(inArray(products.id, [701, 702, 703]));
      expect(stored.map((product) => product.lastAnalyzedAt)).toEqual([app.clock.now(), app.clock.now(), app.clock.now()]);
      const [snapshot] = await app.database.db.select().from(productSnapshots).where(eq(productSnapshots.productId, 701));
      expect(snapshot.ordersQuantity).toBe(150);
      expect(snapshot.snapshotDate).toBe("2026-03-10");
    }, 60_000);

    test("failure neither stops nor repeats forever", async () => {
      await trackAt([711, 712, 713]);
      failing.add(711);
      orders.delete(712);
      uzum.requests.length = 0;
      app.clock.set("2026-03-10T12:00:00Z");

      const run = await app.services.scheduler.tick("refresh-tracked");

      expect(run?.outcome).toBe("succeeded");
      expect(run?.counts).toEqual({ candidates: 3, refreshed: 1, failed: 1, notFound: 1, retries: 1 });
      // The failed product is tried again once, after the others.
      expect(requestedIds(uzum)).toEqual([711, 712, 713, 711]);

      failing.clear();
      uzum.requests.length = 0;
      // The next 6-hourly tick: 18:00 in Tashkent.
      app.clock.set("2026-03-10T13:00:00Z");
      const next = await app.services.scheduler.tick("refresh-tracked");
      // Both kept their old analysis time, so they lead the next run, ahead of the one refreshed at 12:00.
      expect(requestedIds(uzum)).toEqual([711, 712, 713]);
      expect(next?.counts.refreshed).toBe(2);
      expect(next?.counts.notFound).toBe(1);
    }, 60_000);

    test("interrupted refresh resumes with the rest", async () => {
      await trackAt([721, 722, 723, 724]);
      uzum.requests.length = 0;
      app.clock.set("2026-03-10T12:00:00Z");
      let refreshed = 0;
      app.services.refreshEvents.onProductRefreshed(() => {
        // Stopping waits for this run, so it must not be awaited inside the run's own listener.
        if (++refreshed === 2) void app.services.scheduler.stop();
      });

      const interrupted = await app.services.scheduler.tick("refresh-tracked");
      expect(interrupted?.outcome).toBe("interrupted");
      expect(interrupted?.counts.refreshed).toBe(2);

      // A restarted process, a minute later.
      app.clock.advance(60_000);
      const restarted = createScheduler({
        db: app.database.db,
        clock: app.clock,
        logger: createLogger("silent"),
        config: loadConfig({ ...jobEnv, JWT_SECRET: "x".repeat(32), JOB_INSTANCE_ID: "restarted" }).jobs,
        products: app.services.products,
        weeklyBuyers: undefined,
      });
      const [resumed] = await restarted.resumeInterrupted();

      expect(resumed.outcome).toBe("succeeded");
      expect(resumed.counts.candidates).toBe(2);
      expect(requestedIds(uzum)).toEqual([721, 722, 723, 724]);
      // Another instance starting now finds nothing left to resume.
      expect(await restarted.resumeInterrupted()).toEqual([]);
    }, 60_000);

    test("hook gets previous and new snapshot", async () => {
      await trackAt([731]);
      orders.set(731, 180);
      app.clock.set("2026-03-10T12:00:00Z");
      const events: ProductRefreshed[] = [];
      app.services.refreshEvents.onProductRefreshed((event) => {
        events.push(event);
      });
      app.services.refreshEvents.onProductRefreshed(() => {
        throw new Error("a broken listener");
      });

      const run = await app.services.scheduler.tick("refresh-tracked");

      expect(run?.counts.refreshed).toBe(1);
      expect(events).toHaveLength(1);
      expect(events[0].productId).toBe(731);
      expect(events[0].previous?.ordersQuantity).toBe(100);
      expect(events[0].current.snapshot.ordersQuantity).toBe(180);
    }, 60_000);
  });
}
