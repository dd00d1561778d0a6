import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseKinds } from "./helpers/database";
import { createServiceDatabase, startService, type LogLine, type ServiceDatabase, type ServiceProcess } from "./helpers/service-process";
import { json, startStub, type StubServer } from "./helpers/stub-server";
import { wireProduct } from "./helpers/uzum-wire";

/**
 * A refresh of tracked products interrupted by SIGTERM or SIGKILL and finished by the next
 * process: every product is refreshed, and none is fetched twice except, after SIGKILL, the
 * one whose fetch the kill cut off.
 */

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

/** Returns the env of a service that runs refresh-tracked every 2 seconds, one product at a time. */
function refreshingEnv(database: ServiceDatabase, uzumUrl: string, instanceId: string): Record<string, string> {
  return {
    ...database.env,
    UZUM_API_URL: uzumUrl,
    JOB_REFRESH_TRACKED_SCHEDULE: "*/2 * * * * *",
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
      await first.waitForLog("job.started");
      while (hits.filter((hit) => hit.receivedAt >= since).length < 2) await Bun.sleep(20);
      first.kill(signal);
      const firstExit = await first.exited;
      if (signal === "SIGTERM") {
        expect(firstExit).toBe(0);
        const interrupted = await first.waitForLog(isRefreshFinished);
        expect(interrupted.outcome).toBe("interrupted");
      }

      const second = await startService({ env: refreshingEnv(database, uzum.url, `${phase}-second`) });
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
