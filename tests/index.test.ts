import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseKinds } from "./helpers/database";
import { readSample } from "./helpers/prometheus";
import { startSentryStub } from "./helpers/sentry-stub";
import { createServiceDatabase, killRunningServices, startService, type ServiceDatabase, type ServiceProcess } from "./helpers/service-process";
import { json, startStub, type StubServer } from "./helpers/stub-server";
import { wireProduct } from "./helpers/uzum-wire";

/**
 * The real service in its own process: start-up, SIGTERM with work in flight, SIGKILL, and
 * restarts on the same database.
 */

afterEach(killRunningServices);

/** Each test starts the service once or twice, and a first PGlite start runs initdb and every migration. */
const processTestTimeoutMs = 120_000;

/** Product requests the Uzum stub holds until the test releases them. */
const held = new Map<number, () => void>();
const holdIds = new Set<number>();

/** Lets a held product request be answered. */
function release(productId: number): void {
  held.get(productId)?.();
  held.delete(productId);
  holdIds.delete(productId);
}

async function call(service: ServiceProcess, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${service.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text.startsWith("{") ? JSON.parse(text) : text };
}

async function signUp(service: ServiceProcess): Promise<string> {
  const response = await call(service, "POST", "/api/v1/auth/register", {
    body: { email: `ops-${Date.now()}-${Math.random().toString(36).slice(2)}@example.uz`, password: "Kuchli-parol-2026", account_name: "Ops" },
  });
  expect(response.status).toBe(201);
  return response.body.access_token;
}

/** Sends `text` as it is over a new connection and returns everything the server wrote back until it closed. */
async function rawRequest(url: string, text: string): Promise<string> {
  const { hostname, port } = new URL(url);
  let received = "";
  const { promise: closed, resolve } = Promise.withResolvers<void>();
  const socket = await Bun.connect({
    hostname,
    port: Number(port),
    socket: {
      data: (_socket, chunk) => void (received += new TextDecoder().decode(chunk)),
      close: () => resolve(),
      error: () => resolve(),
    },
  });
  socket.write(text);
  await closed;
  return received;
}

/** Tries new connections until one is refused; returns false when they all succeed. */
async function refusesConnections(url: string, attempts = 50): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const refused = await fetch(`${url}/health`).then(
      () => false,
      () => true,
    );
    if (refused) return true;
    await Bun.sleep(20);
  }
  return false;
}

for (const kind of testDatabaseKinds()) {
  describe(`service process (${kind})`, () => {
    let uzum: StubServer;
    let database: ServiceDatabase;

    beforeAll(async () => {
      uzum = startStub(async (request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        if (holdIds.has(id)) await new Promise<void>((release) => held.set(id, release));
        return json(wireProduct({ id }));
      });
      database = await createServiceDatabase(kind);
    });

    afterAll(async () => {
      for (const release of held.values()) release();
      held.clear();
      holdIds.clear();
      await uzum.stop();
      await database.drop();
    }, processTestTimeoutMs);

    test("SIGTERM answers in-flight requests, then exits 0", async () => {
      const service = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url } });
      const token = await signUp(service);
      holdIds.add(7100001);

      const analysis = call(service, "POST", "/api/v1/uzum/analyze", { token, body: { url: "https://uzum.uz/uz/product/-7100001" } });
      while (!held.has(7100001)) await Bun.sleep(10);
      service.kill("SIGTERM");
      await service.waitForLog("service.stopping");

      expect(await refusesConnections(service.url)).toBe(true);
      release(7100001);
      const answered = await analysis;
      expect(answered.status).toBe(200);
      expect(answered.body.product_id).toBe(7100001);

      expect(await service.exited).toBe(0);
      const stopped = await service.waitForLog("service.stopped");
      expect(stopped.completed).toBe(true);
      const steps = service.logs.filter((line) => line.msg === "shutdown.step_finished").map((line) => line.step);
      expect(steps).toEqual(expect.arrayContaining(["http", "scheduler", "browser", "database"]));
      expect(steps.indexOf("database")).toBeGreaterThan(steps.indexOf("http"));
    }, processTestTimeoutMs);

    test("restart keeps what was stored before SIGTERM", async () => {
      const service = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url } });
      const token = await signUp(service);

      const stored = await call(service, "GET", "/api/v1/products/7100001", { token });
      expect(stored.status).toBe(200);
      expect(stored.body.product_id).toBe(7100001);

      service.kill("SIGTERM");
      expect(await service.exited).toBe(0);
    }, processTestTimeoutMs);

    test("SIGKILL loses nothing committed before it", async () => {
      const first = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url } });
      const token = await signUp(first);
      const analysed = await call(first, "POST", "/api/v1/uzum/analyze", { token, body: { url: "https://uzum.uz/uz/product/-7100002" } });
      expect(analysed.status).toBe(200);

      first.kill("SIGKILL");
      expect(await first.exited).not.toBe(0);

      // On PGlite the killed process leaves its lock file behind; the restart takes it over.
      const second = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url } });
      const stored = await call(second, "GET", "/api/v1/products/7100002", { token: await signUp(second) });
      expect(stored.status).toBe(200);
      expect(stored.body.orders_quantity).toBe(analysed.body.orders_quantity);

      second.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    }, processTestTimeoutMs);

    test("exits 1 when a request outlasts SHUTDOWN_TIMEOUT_MS", async () => {
      const service = await startService({
        env: { ...database.env, UZUM_API_URL: uzum.url, SHUTDOWN_TIMEOUT_MS: "1000", UZUM_TIMEOUT_MS: "60000" },
      });
      const token = await signUp(service);
      holdIds.add(7100003);

      const analysis = call(service, "POST", "/api/v1/uzum/analyze", { token, body: { url: "https://uzum.uz/uz/product/-7100003" } }).catch(
        (error: unknown) => error,
      );
      while (!held.has(7100003)) await Bun.sleep(10);
      service.kill("SIGTERM");

      expect(await service.exited).toBe(1);
      const timedOut = await service.waitForLog("shutdown.step_timed_out");
      expect(timedOut.step).toBe("http");
      // The database still closes after the forced stop.
      const databaseClosed = await service.waitForLog((line) => line.msg === "shutdown.step_finished" && line.step === "database");
      expect(databaseClosed.step).toBe("database");

      release(7100003);
      await analysis;
    }, processTestTimeoutMs);

    test("serves process memory on /metrics", async () => {
      const service = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url } });

      const metrics = await call(service, "GET", "/metrics");
      expect(metrics.status).toBe(200);
      expect(readSample(metrics.body, "process_resident_memory_bytes")).toBeGreaterThan(0);

      service.kill("SIGINT");
      expect(await service.exited).toBe(0);
    }, processTestTimeoutMs);
  });
}

describe("service process start-up and bodies", () => {
  test("a second instance on a busy port exits 1", async () => {
    const first = await createServiceDatabase("pglite");
    const second = await createServiceDatabase("pglite");
    // HOST=127.0.0.1 keeps the service off other interfaces; the test talks to it on loopback.
    const service = await startService({ env: { ...first.env, HOST: "127.0.0.1" } });
    const port = new URL(service.url).port;

    await expect(startService({ env: { ...second.env, HOST: "127.0.0.1", PORT: port } })).rejects.toThrow(`Port ${port} is already in use`);
    // The first instance still serves every request alone.
    for (let attempt = 0; attempt < 5; attempt++) expect((await fetch(`${service.url}/health`)).status).toBe(200);

    service.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  }, processTestTimeoutMs);

  test("oversized and unsized bodies get JSON errors", async () => {
    const database = await createServiceDatabase("pglite");
    const service = await startService({ env: { ...database.env, MAX_BODY_BYTES: "1024" } });
    const login = (body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(`${service.url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const padded = JSON.stringify({ email: "a@example.uz", password: "x".repeat(4096) });

    // The request guard, not Bun's own limit, rejects it, so the error has the JSON envelope.
    const tooLarge = await login(padded);
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).error.code).toBe("PAYLOAD_TOO_LARGE");

    const chunked = await rawRequest(service.url, [
      "POST /api/v1/auth/login HTTP/1.1",
      "Host: 127.0.0.1",
      "Content-Type: application/json",
      "Transfer-Encoding: chunked",
      "Connection: close",
      "",
      `${padded.length.toString(16)}\r\n${padded}\r\n0\r\n\r\n`,
    ].join("\r\n"));
    expect(chunked).toStartWith("HTTP/1.1 411");
    expect(chunked).toContain('"code":"LENGTH_REQUIRED"');

    const fits = await login(JSON.stringify({ email: "a@example.uz", password: "wrong-password-1" }));
    expect(fits.status).toBe(401);

    service.kill("SIGTERM");
    expect(await service.exited).toBe(0);
  }, processTestTimeoutMs);
});

describe("service process with SENTRY_DSN", () => {
  test("reports a 5xx with its request id", async () => {
    const sentry = startSentryStub();
    const uzum = startStub(() => json({ errors: ["down"] }, 500));
    const database = await createServiceDatabase("pglite");
    try {
      const service = await startService({ env: { ...database.env, UZUM_API_URL: uzum.url, UZUM_MAX_RETRIES: "0", SENTRY_DSN: sentry.dsn } });
      const token = await signUp(service);

      const response = await fetch(`${service.url}/api/v1/uzum/analyze`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": "sentry-check-1" },
        body: JSON.stringify({ url: "https://uzum.uz/uz/product/-7200001" }),
      });
      expect(response.status).toBe(502);
      expect((await response.json()).error.code).toBe("UZUM_UNAVAILABLE");

      const events = await sentry.waitForEvents(1);
      expect(events).toHaveLength(1);
      expect(events[0].tags.request_id).toBe("sentry-check-1");
      expect(events[0].tags.status).toBe("502");

      service.kill("SIGTERM");
      expect(await service.exited).toBe(0);
    } finally {
      await uzum.stop();
      await sentry.server.stop();
      await database.drop();
    }
  }, processTestTimeoutMs);
});
