import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseKinds } from "./helpers/database";
import {
  createServiceDatabase,
  killRunningServices,
  startService,
  type LogLine,
  type ServiceDatabase,
  type ServiceProcess,
} from "./helpers/service-process";
import { json, startStub, type StubServer } from "./helpers/stub-server";
import { wireProduct } from "./helpers/uzum-wire";

/**
 * A refresh of tracked products and a discovery scan, each interrupted by SIGTERM or SIGKILL
 * and finished by the next process: every product is fetched, and none twice except, after
 * SIGKILL, what the kill cut off before it was recorded.
 */

afterEach(killRunningServices);

const productIds = [7300001, 7300002, 7300003, 7300004, 7300005, 7300006];
/** Time for a test that starts several processes, where a restart after SIGKILL waits out the job lease. */
const restartTestTimeoutMs = 240_000;
/** Time the stub takes per product during a refresh, so a run is still going when the signal arrives. */
const refreshDelayMs = 400;
/** Shortest lease the config allows, so a restart after SIGKILL takes the job over quickly. */
const leaseTtlSeconds = "10";

interface Hit {
  productId: number;
  receivedAt: number;
  ordersQuantity: number;
}

const superAdmin = { email: "restart-admin@example.uz", password: "Kuchli-boshqaruv-2026" };

/**
 * Returns the env of a service that refreshes one product at a time. Its schedules stay off,
 * because a scheduled run starting right after the one under test would change the products'
 * cut-off. The test starts each run as the super admin instead.
 */
function refreshingEnv(database: ServiceDatabase, uzumUrl: string, instanceId: string): Record<string, string> {
  return {
    ...database.env,
    UZUM_API_URL: uzumUrl,
    SUPER_ADMIN_EMAIL: superAdmin.email,
    SUPER_ADMIN_PASSWORD: superAdmin.password,
    REFRESH_CONCURRENCY: "1",
    REFRESH_RATE_PER_SECOND: "0",
    JOB_LEASE_TTL_SECONDS: leaseTtlSeconds,
    JOB_INSTANCE_ID: instanceId,
  };
}

async function post(service: ServiceProcess, path: string, body: unknown, token?: string) {
  const response = await fetch(`${service.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * Starts refresh-tracked as the super admin. After SIGKILL the dead process's lease blocks the
 * job until it expires, so 409 JOB_ALREADY_RUNNING is retried until then.
 */
async function triggerRefresh(service: ServiceProcess): Promise<void> {
  const login = await post(service, "/api/v1/auth/login", superAdmin);
  expect(login.status).toBe(200);

  const deadline = Date.now() + 3 * Number(leaseTtlSeconds) * 1000;
  for (;;) {
    const started = await post(service, "/api/v1/admin/jobs/refresh-tracked/run", {}, login.body.access_token);
    if (started.status === 202) return;
    expect(started.status).toBe(409);
    expect(Date.now()).toBeLessThan(deadline);
    await Bun.sleep(250);
  }
}

function isRefreshFinished(line: LogLine): boolean {
  return line.msg === "job.finished" && line.job === "refresh-tracked";
}

for (const kind of testDatabaseKinds()) {
  describe(`refresh across restarts (${kind})`, () => {
    let uzum: StubServer;
    let database: ServiceDatabase;
    let token: string;
    /** Orders the stub reports now. Each phase raises it, so a stored figure shows which phase fetched it. */
    let ordersQuantity = 100;
    let delayMs = 0;
    const hits: Hit[] = [];

    beforeAll(async () => {
      uzum = startStub(async (request) => {
        const productId = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        hits.push({ productId, receivedAt: Date.now(), ordersQuantity });
        if (delayMs > 0) await Bun.sleep(delayMs);
        return json(wireProduct({ id: productId, orders: ordersQuantity }));
      });
      database = await createServiceDatabase(kind);

      // Analyse and track the products with every job switched off.
      const setup = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url } });
      const registered = await post(setup, "/api/v1/auth/register", {
        email: `restart-${kind}-${Date.now()}@example.uz`,
        password: "Kuchli-parol-2026",
        account_name: "Restart",
      });
      token = registered.body.access_token;
      for (const productId of productIds) {
        expect((await post(setup, "/api/v1/uzum/analyze", { url: `https://uzum.uz/uz/product/-${productId}` }, token)).status).toBe(200);
        expect((await post(setup, `/api/v1/products/${productId}/track`, {}, token)).status).toBeLessThan(300);
      }
      setup.kill("SIGTERM");
      expect(await setup.exited).toBe(0);
    }, restartTestTimeoutMs);

    afterAll(async () => {
      await uzum.stop();
      await database.drop();
    });

    /** Counts the stub hits per product between `since` and `until`. */
    function hitsBetween(since: number, until: number): Map<number, number> {
      const counts = new Map<number, number>();
      for (const hit of hits) {
        if (hit.receivedAt < since || hit.receivedAt > until) continue;
        counts.set(hit.productId, (counts.get(hit.productId) ?? 0) + 1);
      }
      return counts;
    }

    async function storedOrders(service: ServiceProcess, productId: number): Promise<number> {
      const response = await fetch(`${service.url}/api/v1/products/${productId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return (await response.json()).orders_quantity;
    }

    /**
     * Starts a refreshing service, stops it with `signal` after two products were fetched, and
     * lets a second service finish the run. Returns the hits per product of the whole phase.
     */
    async function interruptAndResume(signal: "SIGTERM" | "SIGKILL", phase: string): Promise<Map<number, number>> {
      ordersQuantity += 100;
      delayMs = refreshDelayMs;
      const since = Date.now();

      const first = await startService({ env: refreshingEnv(database, uzum.url, `${phase}-first`) });
      await triggerRefresh(first);
      while (hits.filter((hit) => hit.receivedAt >= since).length < 2) await Bun.sleep(20);
      first.kill(signal);
      const firstExit = await first.exited;
      if (signal === "SIGTERM") {
        expect(firstExit).toBe(0);
        const interrupted = await first.waitForLog(isRefreshFinished);
        expect(interrupted.outcome).toBe("interrupted");
      }

      const second = await startService({ env: refreshingEnv(database, uzum.url, `${phase}-second`) });
      await triggerRefresh(second);
      const finished = await second.waitForLog((line) => isRefreshFinished(line) && line.outcome === "succeeded", restartTestTimeoutMs);
      const until = Date.parse(String(finished.time));
      const resumed = second.logs.find((line) => line.msg === "refresh.planned");
      expect(resumed?.resumed).toBe(true);

      for (const productId of productIds) expect(await storedOrders(second, productId)).toBe(ordersQuantity);
      second.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      return hitsBetween(since, until);
    }

    test("SIGTERM run finishes after restart", async () => {
      const counts = await interruptAndResume("SIGTERM", "term");

      // The product in hand at SIGTERM finished, so the next process fetched only the rest.
      for (const productId of productIds) expect(counts.get(productId)).toBe(1);
    }, restartTestTimeoutMs);

    test("SIGKILL run finishes after restart", async () => {
      const counts = await interruptAndResume("SIGKILL", "kill");

      for (const productId of productIds) expect(counts.get(productId)).toBeGreaterThanOrEqual(1);
      // Only the fetch the kill cut off can be repeated, and with one product at a time there is one.
      const repeated = productIds.filter((productId) => (counts.get(productId) ?? 0) > 1);
      expect(repeated.length).toBeLessThanOrEqual(1);
    }, restartTestTimeoutMs);
  });
}

const categoryId = 10091;
const listedIds = [7400001, 7400002, 7400003, 7400004, 7400005, 7400006];

/** Returns the env of a service whose discovery worker takes one product at a time and hands a silent run over after 1 s. */
function discoveryEnv(database: ServiceDatabase, uzumUrl: string): Record<string, string> {
  return {
    ...database.env,
    UZUM_API_URL: uzumUrl,
    UZUM_GRAPHQL_URL: uzumUrl,
    UZUM_ID_URL: uzumUrl,
    UZUM_WEB_URL: uzumUrl,
    DISCOVERY_CONCURRENCY: "1",
    DISCOVERY_RATE_PER_SECOND: "0",
    DISCOVERY_HEARTBEAT_MS: "200",
    DISCOVERY_STALE_AFTER_MS: "1000",
    DISCOVERY_POLL_MS: "100",
  };
}

for (const kind of testDatabaseKinds()) {
  describe(`discovery across restarts (${kind})`, () => {
    let uzum: StubServer;
    let database: ServiceDatabase;
    const productHits: Hit[] = [];

    beforeAll(async () => {
      // One stub plays Uzum REST (products), Uzum ID (the token) and GraphQL (the category listing).
      uzum = startStub(async (request) => {
        const productId = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        if (productId) {
          productHits.push({ productId, receivedAt: Date.now(), ordersQuantity: 0 });
          await Bun.sleep(refreshDelayMs);
          return json(wireProduct({ id: productId, orders: 1000 - (productId % 100) }));
        }
        if (request.path === "/api/auth/token") {
          return new Response("{}", { headers: { "set-cookie": "access_token=stub-token; Path=/", "content-type": "application/json" } });
        }
        const offset = JSON.parse(request.body || "{}").variables?.queryInput?.pagination?.offset ?? 0;
        const items = offset === 0 ? listedIds.map((id) => ({ catalogCard: { productId: id, title: `Mahsulot ${id}` } })) : [];
        return json({ data: { makeSearch: { total: listedIds.length, category: { id: categoryId, title: "Makiyaj" }, categoryTree: [], items } } });
      });
      database = await createServiceDatabase(kind);
    }, restartTestTimeoutMs);

    afterAll(async () => {
      await uzum.stop();
      await database.drop();
    });

    /**
     * Queues a scan, stops the service with `signal` after two products were fetched, and lets a
     * second service finish the run. Returns the product hits per product of the whole scan.
     */
    async function interruptScan(signal: "SIGTERM" | "SIGKILL"): Promise<Map<number, number>> {
      const since = Date.now();
      const first = await startService({ env: discoveryEnv(database, uzum.url) });
      const registered = await post(first, "/api/v1/auth/register", {
        email: `scan-${kind}-${signal}-${Date.now()}@example.uz`,
        password: "Kuchli-parol-2026",
        account_name: "Scan",
      });
      const token = registered.body.access_token;
      const created = await post(first, "/api/v1/discovery/runs", { input: String(categoryId) }, token);
      expect(created.status).toBe(202);

      while (productHits.filter((hit) => hit.receivedAt >= since).length < 2) await Bun.sleep(20);
      first.kill(signal);
      const firstExit = await first.exited;
      if (signal === "SIGTERM") {
        expect(firstExit).toBe(0);
        const stopped = await first.waitForLog("discovery.run_stopped");
        expect(stopped.reason).toBe("shutdown");
      }

      const second = await startService({ env: discoveryEnv(database, uzum.url) });
      const finished = await second.waitForLog("discovery.run_finished", restartTestTimeoutMs);
      const until = Date.parse(String(finished.time));

      const run = await fetch(`${second.url}/api/v1/discovery/runs/${created.body.id}`, { headers: { authorization: `Bearer ${token}` } });
      const detail = await run.json();
      expect(detail.status).toBe("FINISHED");
      expect(detail.winners.length).toBe(listedIds.length);

      second.kill("SIGTERM");
      expect(await second.exited).toBe(0);

      const counts = new Map<number, number>();
      for (const hit of productHits) {
        if (hit.receivedAt >= since && hit.receivedAt <= until) counts.set(hit.productId, (counts.get(hit.productId) ?? 0) + 1);
      }
      return counts;
    }

    test("SIGTERM scan finishes after restart", async () => {
      const counts = await interruptScan("SIGTERM");

      // SIGTERM drops the one request in flight rather than waiting for it, so the next process fetched
      // that product again. Everything fetched before was recorded and not repeated.
      for (const productId of listedIds) expect(counts.get(productId)).toBeGreaterThanOrEqual(1);
      expect(listedIds.filter((productId) => (counts.get(productId) ?? 0) > 1).length).toBeLessThanOrEqual(1);
    }, restartTestTimeoutMs);

    test("SIGKILL scan finishes after restart", async () => {
      const counts = await interruptScan("SIGKILL");

      for (const productId of listedIds) expect(counts.get(productId)).toBeGreaterThanOrEqual(1);
      // A resumed scan repeats at most what was fetched since its last heartbeat: with a
      // 200 ms heartbeat and 400 ms per product, the product in hand and the one before it.
      const repeated = listedIds.filter((productId) => (counts.get(productId) ?? 0) > 1);
      expect(repeated.length).toBeLessThanOrEqual(2);
    }, restartTestTimeoutMs);
  });
}
