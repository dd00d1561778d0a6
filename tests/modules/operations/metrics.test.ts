import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { readSample } from "../../helpers/prometheus";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

const metricsToken = "metrics-token-for-tests-0123456789";
// Analysis reads no banner with a zero budget, so the REST client is the only Uzum caller.
const noBanner = { WEEKLY_BUYERS_BUDGET_MS: "0" };

/** Waits for Elysia's onAfterResponse hooks, which it runs in a setImmediate callback after each response. */
function afterResponseHooks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

for (const kind of testDatabaseKinds()) {
  describe(`GET /metrics (${kind})`, () => {
    let uzum: StubServer;
    let app: TestApp;
    let failuresLeft = 0;

    beforeAll(async () => {
      uzum = startStub((request) => {
        if (failuresLeft > 0) {
          failuresLeft--;
          return json({ errors: ["down"] }, 503);
        }
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        return json(wireProduct({ id }));
      });
      app = await createTestApp({ kind, env: { UZUM_API_URL: uzum.url, UZUM_MAX_RETRIES: "2", ...noBanner } });
    });

    afterAll(async () => {
      await app.close();
      await uzum.stop();
    });

    test("serves Prometheus text without a token", async () => {
      const response = await app.request("GET", "/metrics");

      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toStartWith("text/plain");
      expect(response.body).toContain("# TYPE ventra_http_requests_total counter");
      expect(response.body).toContain("# TYPE ventra_uzum_request_duration_seconds histogram");
    });

    test("counts requests by route and status", async () => {
      const { token } = await app.signUp();
      await app.request("GET", "/api/v1/products/424242", { token });
      await app.request("GET", "/api/v1/products/424243", { token });
      await app.request("GET", "/no/such/route/9f3a");
      await afterResponseHooks();

      const text = (await app.request("GET", "/metrics")).body as string;
      expect(readSample(text, "ventra_http_requests_total", { method: "GET", route: "/api/v1/products/:id", status: "404" })).toBe(2);
      expect(readSample(text, "ventra_http_request_duration_seconds_count", { route: "/api/v1/products/:id", status: "404" })).toBe(2);
      expect(readSample(text, "ventra_http_requests_total", { route: "unmatched", status: "404" })).toBeGreaterThanOrEqual(1);
      expect(text).not.toContain("9f3a");
    });

    test("counts Uzum attempts by outcome", async () => {
      const { token } = await app.signUp();
      failuresLeft = 1;

      const response = await app.request("POST", "/api/v1/uzum/analyze", { token, body: { url: "https://uzum.uz/uz/product/-5551001" } });
      expect(response.status).toBe(200);

      const text = (await app.request("GET", "/metrics")).body as string;
      expect(readSample(text, "ventra_uzum_requests_total", { endpoint: "uzum-rest", outcome: "503" })).toBe(1);
      expect(readSample(text, "ventra_uzum_requests_total", { endpoint: "uzum-rest", outcome: "200" })).toBeGreaterThanOrEqual(1);
      expect(readSample(text, "ventra_uzum_request_duration_seconds_count", { endpoint: "uzum-rest", outcome: "503" })).toBe(1);
    });

    test("counts job runs by outcome", async () => {
      const { userId } = await app.signUp();
      await app.services.scheduler.trigger("daily-sales", { actorUserId: userId, wait: true });

      const text = (await app.request("GET", "/metrics")).body as string;
      expect(readSample(text, "ventra_job_runs_total", { job: "daily-sales", outcome: "succeeded" })).toBe(1);
      expect(readSample(text, "ventra_job_run_duration_seconds_count", { job: "daily-sales" })).toBe(1);
    });

    test("reports the idle browser pool", async () => {
      const text = (await app.request("GET", "/metrics")).body as string;
      expect(readSample(text, "ventra_browser_running")).toBe(0);
      expect(readSample(text, "ventra_browser_pages", { state: "open" })).toBe(0);
    });
  });
}

describe("GET /metrics with METRICS_TOKEN", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ kind: "pglite", env: { METRICS_TOKEN: metricsToken } });
  });

  afterAll(() => app.close());

  test("rejects a missing or wrong token", async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token" }, { authorization: metricsToken }];
    for (const headers of attempts) {
      const response = await app.request("GET", "/metrics", { headers });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe("INVALID_METRICS_TOKEN");
    }
  });

  test("serves metrics for the right token", async () => {
    const response = await app.request("GET", "/metrics", { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(response.status).toBe(200);
    expect(response.body).toContain("ventra_http_requests_total");
  });

  test("rejects a METRICS_TOKEN shorter than 16 characters", async () => {
    await expect(createTestApp({ kind: "pglite", env: { METRICS_TOKEN: "short" } })).rejects.toThrow("METRICS_TOKEN");
  });
});
