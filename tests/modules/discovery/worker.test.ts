import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { createServices, type Services } from "../../../src/app";
import { loadConfig } from "../../../src/config";
import { openDatabase, type DatabaseHandle } from "../../../src/db/client";
import { discoveryRuns } from "../../../src/db/schema";
import type { DiscoveryRunEnded } from "../../../src/jobs/refresh-events";
import { createLogger } from "../../../src/lib/logger";
import { claimRun } from "../../../src/modules/discovery/repository";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { json } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";
import { makeSearchAnswer, startUzumStub, type UzumStub } from "./uzum-stub";

const staleAfterMs = 180_000;

/** Settings for every instance: no retries or timeouts, which would add requests while a test keeps responses waiting. */
const instanceEnv = {
  NODE_ENV: "test",
  JWT_SECRET: "test-secret-that-is-long-enough-for-hs256-signing",
  ACCESS_TOKEN_TTL_SECONDS: "86400",
  UZUM_MAX_RETRIES: "0",
  UZUM_TIMEOUT_MS: "60000",
  DISCOVERY_RATE_PER_SECOND: "0",
  DISCOVERY_HEARTBEAT_MS: "60000",
  DISCOVERY_STALE_AFTER_MS: String(staleAfterMs),
  CHROMIUM_PATH: "/nonexistent/chromium",
};

/** Product responses that wait until the test opens the gate, and a way to wait for the n-th request. */
function gatedProducts() {
  const requested: number[] = [];
  const arrivals: Array<{ count: number; resolve: () => void }> = [];
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));

  return {
    requested,
    open,
    /** Resolves once `count` product requests have arrived. */
    arrived(count: number): Promise<void> {
      if (requested.length >= count) return Promise.resolve();
      return new Promise((resolve) => arrivals.push({ count, resolve }));
    },
    async answer(productId: number, respond: () => Response = () => json(wireProduct({ id: productId }))): Promise<Response> {
      requested.push(productId);
      for (const waiter of arrivals.filter((entry) => requested.length >= entry.count)) waiter.resolve();
      await opened;
      return respond();
    },
  };
}

function listingOf(count: number) {
  return ({ offset }: { offset: number }) =>
    makeSearchAnswer({
      total: count,
      items: offset === 0 ? Array.from({ length: count }, (_, i) => ({ catalogCard: { productId: i + 1, title: `Mahsulot ${i + 1}` } })) : [],
    });
}

for (const kind of testDatabaseKinds()) {
  describe(`discovery worker (${kind})`, () => {
    let stub: UzumStub;
    let app: TestApp;
    let token: string;
    let accountId: string;
    const closers: Array<() => Promise<void>> = [];

    beforeEach(async () => {
      stub = startUzumStub();
      app = await createTestApp({ kind, env: { ...instanceEnv, ...stub.env, DISCOVERY_CONCURRENCY: "1", JOB_INSTANCE_ID: "instance-a" } });
      ({ token, accountId } = await app.signUp());
      // The first test of a process also builds the migrated PGlite image, which is slow on a busy machine.
    }, 60_000);

    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
      await app.close();
      await stub.stop();
    });

    /** Another instance of the service on the same database, talking to its own Uzum stub, as after a restart. */
    async function secondInstance(otherStub: UzumStub, env: Record<string, string> = {}): Promise<Services> {
      const url = (app.database as DatabaseHandle & { url?: string }).url;
      const database = kind === "postgres" ? await openDatabase({ url, maxConnections: 4 }) : app.database;
      if (kind === "postgres") closers.push(() => database.close());

      const config = loadConfig({ ...instanceEnv, ...otherStub.env, JOB_INSTANCE_ID: "instance-b", ...env });
      return createServices({ config, database, clock: app.clock, logger: createLogger("silent") });
    }

    const createRun = (input: string) => app.request("POST", "/api/v1/discovery/runs", { token, body: { input } });
    const readRun = async (id: string) => (await app.database.db.select().from(discoveryRuns).where(eq(discoveryRuns.id, id)))[0];

    test("resumes a run after its worker stopped", async () => {
      const gate = gatedProducts();
      stub.handlers.listing = listingOf(12);
      stub.handlers.product = (productId) => (productId <= 5 ? json(wireProduct({ id: productId })) : gate.answer(productId, () => new Response("gone", { status: 503 })));
      const created = await createRun("10020");

      // Instance A fetches five products, stores that progress, and then hangs on the sixth, as a process that died would stay.
      const scanA = app.services.discoveryWorker.processNext();
      await gate.arrived(1);
      await waitFor(async () => (await readRun(created.body.id)).fetchedProductIds.length === 5);
      app.clock.advance(staleAfterMs + 1_000);

      const stubB = startUzumStub();
      closers.push(() => stubB.stop());
      const instanceB = await secondInstance(stubB);
      expect(await instanceB.discoveryWorker.processNext()).toBe(true);

      const resumed = await readRun(created.body.id);
      expect(resumed.status).toBe("FINISHED");
      expect(resumed.attempts).toBe(2);
      expect(resumed.fetchedProductIds.toSorted((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(stubB.listingRequests()).toEqual([]);
      expect(stubB.productRequests()).toEqual([6, 7, 8, 9, 10, 11, 12]);

      // Instance A wakes up, finds the run is no longer its own, and changes nothing.
      gate.open();
      expect(await scanA).toBe(true);
      const after = await readRun(created.body.id);
      expect(after.status).toBe("FINISHED");
      expect(after.failedProductIds).toEqual([]);
    });

    test("claims each run once under concurrent claimers", async () => {
      for (const categoryId of [1, 2, 3]) await createRun(String(categoryId));

      const now = app.clock.now();
      const claims = await Promise.all(
        Array.from({ length: 10 }, (_, i) => claimRun(app.database.db, `worker-${i}`, now, new Date(now.getTime() - staleAfterMs), 3)),
      );

      const claimed = claims.filter((run) => run !== undefined);
      expect(claimed).toHaveLength(3);
      expect(new Set(claimed.map((run) => run!.id)).size).toBe(3);
      expect(new Set(claimed.map((run) => run!.workerId)).size).toBe(3);
    });

    test("gives two workers different runs", async () => {
      stub.handlers.listing = listingOf(2);
      const stubB = startUzumStub({ listing: listingOf(2) });
      closers.push(() => stubB.stop());
      const instanceB = await secondInstance(stubB);
      await createRun("501");
      await createRun("502");

      const claimed = await Promise.all([app.services.discoveryWorker.processNext(), instanceB.discoveryWorker.processNext()]);

      expect(claimed).toEqual([true, true]);
      const categories = [...stub.listingRequests(), ...stubB.listingRequests()].map((request) => request.categoryId);
      expect(categories.toSorted()).toEqual(["501", "502"]);
      expect(await app.services.discoveryWorker.processNext()).toBe(false);
    });

    test("fails a stale run past the retry limit", async () => {
      const ended: DiscoveryRunEnded[] = [];
      app.services.refreshEvents.onDiscoveryRunEnded((event) => void ended.push(event));
      const created = await createRun("10020");
      await app.database.db
        .update(discoveryRuns)
        .set({ status: "RUNNING", attempts: 3, workerId: "gone", heartbeatAt: app.clock.now() })
        .where(eq(discoveryRuns.id, created.body.id));
      app.clock.advance(staleAfterMs + 1_000);

      expect(await app.services.discoveryWorker.processNext()).toBe(false);

      const run = await readRun(created.body.id);
      expect(run.status).toBe("FAILED");
      expect(run.error).toBe("The worker stopped sending heartbeats 3 time(s), which is the retry limit");
      expect(run.errorCode).toBe("WORKER_LOST");
      expect(ended.map((event) => [event.runId, event.status])).toEqual([[created.body.id, "FAILED"]]);
      expect(stub.listingRequests()).toEqual([]);
    });

    test("leaves a live run to its worker", async () => {
      const created = await createRun("10020");
      await app.database.db
        .update(discoveryRuns)
        .set({ status: "RUNNING", attempts: 1, workerId: "alive", heartbeatAt: app.clock.now() })
        .where(eq(discoveryRuns.id, created.body.id));
      app.clock.advance(staleAfterMs - 1_000);

      expect(await app.services.discoveryWorker.processNext()).toBe(false);
      expect((await readRun(created.body.id)).workerId).toBe("alive");
    });

    test("stops fetching once cancelled", async () => {
      await app.close();
      app = await createTestApp({ kind, env: { ...instanceEnv, ...stub.env, DISCOVERY_CONCURRENCY: "2" } });
      ({ token } = await app.signUp());
      const gate = gatedProducts();
      stub.handlers.listing = listingOf(30);
      stub.handlers.product = (productId) => gate.answer(productId);
      const created = await createRun("10020");

      const scan = app.services.discoveryWorker.processNext();
      await gate.arrived(2);
      const cancelled = await app.request("DELETE", `/api/v1/discovery/runs/${created.body.id}`, { token });
      // The two products being fetched never get a response: the scan drops them rather than waiting.
      await scan;
      gate.open();

      expect(cancelled.status).toBe(200);
      expect(gate.requested).toHaveLength(2);
      const run = await readRun(created.body.id);
      expect(run.status).toBe("CANCELLED");
      expect(run.error).toBe("Cancelled by a user");
      expect(run.errorCode).toBe("CANCELLED");
      expect(run.failedProductIds).toEqual([]);
    });

    test("stops when another instance cancels", async () => {
      await app.close();
      app = await createTestApp({ kind, env: { ...instanceEnv, ...stub.env, DISCOVERY_CONCURRENCY: "1", DISCOVERY_HEARTBEAT_MS: "100" } });
      ({ token, accountId } = await app.signUp());
      const gate = gatedProducts();
      stub.handlers.listing = listingOf(20);
      stub.handlers.product = (productId) => gate.answer(productId);
      const created = await createRun("10020");

      const scan = app.services.discoveryWorker.processNext();
      await gate.arrived(1);
      const stubB = startUzumStub();
      closers.push(() => stubB.stop());
      const instanceB = await secondInstance(stubB);
      await instanceB.discovery.cancel(accountId, created.body.id);
      // Instance B cannot reach A's scan, so A learns of the cancel at its next heartbeat.
      // A then drops the product it is waiting for, and the scan ends before the gate opens.
      await scan;
      gate.open();

      expect(gate.requested).toEqual([1]);
      const run = await readRun(created.body.id);
      expect(run.status).toBe("CANCELLED");
      expect(run.fetchedProductIds).toEqual([]);
    });

    test("hands its run back on stop", async () => {
      await app.close();
      app = await createTestApp({ kind, env: { ...instanceEnv, ...stub.env, DISCOVERY_CONCURRENCY: "2" } });
      ({ token } = await app.signUp());
      const gate = gatedProducts();
      stub.handlers.listing = listingOf(10);
      // Products 1 and 2 return at once; 3 and 4 are still waiting when the worker stops.
      stub.handlers.product = (productId) => (productId <= 2 ? json(wireProduct({ id: productId })) : gate.answer(productId));
      const created = await createRun("10020");

      app.services.discoveryWorker.start();
      await gate.arrived(2);
      await app.services.discoveryWorker.stop();

      const run = await readRun(created.body.id);
      expect(run.status).toBe("PENDING");
      expect(run.workerId).toBeNull();
      expect(run.attempts).toBe(0);
      expect(run.fetchedProductIds.toSorted((a, b) => a - b)).toEqual([1, 2]);
      expect(run.failedProductIds).toEqual([]);
      expect(gate.requested.toSorted((a, b) => a - b)).toEqual([3, 4]);

      // The next worker fetches only what is left, the two dropped products included.
      gate.open();
      expect(await app.services.discoveryWorker.processNext()).toBe(true);
      expect(gate.requested.slice(2).toSorted((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
      expect((await readRun(created.body.id)).status).toBe("FINISHED");
    });

    test("keeps the heartbeat fresh while it works", async () => {
      await app.close();
      app = await createTestApp({
        kind,
        env: { ...instanceEnv, ...stub.env, DISCOVERY_CONCURRENCY: "1", DISCOVERY_HEARTBEAT_MS: "20", DISCOVERY_STALE_AFTER_MS: "60000" },
      });
      ({ token } = await app.signUp());
      const gate = gatedProducts();
      stub.handlers.listing = listingOf(3);
      stub.handlers.product = (productId) => gate.answer(productId);
      const created = await createRun("10020");

      const scan = app.services.discoveryWorker.processNext();
      await gate.arrived(1);
      const claimedAt = (await readRun(created.body.id)).heartbeatAt!.getTime();
      app.clock.advance(30_000);
      await waitFor(async () => (await readRun(created.body.id)).heartbeatAt!.getTime() > claimedAt);
      gate.open();
      await scan;

      expect((await readRun(created.body.id)).status).toBe("FINISHED");
    });
  });
}

/** Polls `condition` on the event loop until it is true. The test runner's timeout bounds the wait. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setImmediate(resolve));
}
