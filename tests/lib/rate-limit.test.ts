import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../helpers/app";

// Limits depend on no database feature, so PGlite alone covers them.
describe("rate limits", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({
      kind: "pglite",
      env: {
        RATE_LIMIT_PER_IP_PER_MINUTE: "40",
        RATE_LIMIT_LOGIN_PER_15_MINUTES: "5",
        RATE_LIMIT_AI_EXPLAIN_PER_HOUR: "2",
        RATE_LIMIT_DISCOVERY_RUNS_PER_HOUR: "2",
        TRUST_PROXY: "true",
      },
    });
  });

  afterAll(() => app.close());

  const from = (ip: string) => ({ "x-forwarded-for": ip });

  test("limits each IP per minute with Retry-After", async () => {
    app.clock.set("2026-12-04T07:00:10Z");
    for (let i = 0; i < 40; i++) {
      expect((await app.request("GET", "/health", { headers: from("10.0.0.1") })).status).toBe(200);
    }
    const limited = await app.request("GET", "/health", { headers: from("10.0.0.1") });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe("RATE_LIMITED");
    expect(limited.headers.get("retry-after")).toBe("60");

    expect((await app.request("GET", "/health", { headers: from("10.0.0.2") })).status).toBe(200);
    app.clock.advance(60_000);
    expect((await app.request("GET", "/health", { headers: from("10.0.0.1") })).status).toBe(200);
  });

  test("limits login per email and IP", async () => {
    app.clock.set("2026-12-04T08:00:00Z");
    const attempt = (email: string, ip: string) =>
      app.request("POST", "/api/v1/auth/login", { headers: from(ip), body: { email, password: "wrong-password-1" } });

    for (let i = 0; i < 5; i++) expect((await attempt("victim@example.uz", "10.0.1.1")).status).toBe(401);
    const limited = await attempt("victim@example.uz", "10.0.1.1");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBe(15 * 60);

    expect((await attempt("VICTIM@example.uz", "10.0.1.2")).status).toBe(401);
    expect((await attempt("other@example.uz", "10.0.1.1")).status).toBe(401);
  });

  test("limits expensive endpoints per user", async () => {
    app.clock.set("2026-12-04T09:00:00Z");
    const first = await app.signUp();
    const second = await app.signUp();
    const explain = (token: string) => app.request("POST", "/api/v1/ai/explain/42", { token, body: {}, headers: from("10.0.2.1") });

    expect((await explain(first.token)).status).toBe(404);
    expect((await explain(first.token)).status).toBe(404);
    const limited = await explain(first.token);
    expect(limited.status).toBe(429);
    expect(limited.body.error.details.bucket).toBe("ai_explain");

    expect((await explain(second.token)).status).toBe(404);
  });

  test("rejected input does not count", async () => {
    app.clock.set("2026-12-04T10:00:00Z");
    const seller = await app.signUp();
    const start = (input: unknown) => app.request("POST", "/api/v1/discovery/runs", { token: seller.token, body: { input }, headers: from("10.0.4.1") });

    expect((await start("abc")).status).toBe(400);
    expect((await start("https://uzum.uz/uz/product/krossovka-1552187")).status).toBe(400);
    expect((await start(10091)).status).toBe(422);
    expect((await start("10091")).status).toBe(202);
    // The same category again is 409 RUN_IN_PROGRESS: no second scan started, so it is not counted either.
    expect((await start("10091")).status).toBe(409);
    expect((await start("10092")).status).toBe(202);

    const limited = await start("10093");
    expect(limited.status).toBe(429);
    expect(limited.body.error.details.bucket).toBe("discovery_run");
  });

  test("rejects an oversized body with 413", async () => {
    const response = await app.request("POST", "/api/v1/auth/login", {
      headers: { ...from("10.0.3.1"), "content-length": String(2 * 1024 * 1024) },
      rawBody: "{}",
    });
    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
