import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config";
import { readCorsConfig } from "../../src/lib/cors";
import { createTestApp, type TestApp } from "../helpers/app";

const extension = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";

describe("readCorsConfig", () => {
  test("reads *, off and lists", () => {
    expect(readCorsConfig({})).toEqual({ origins: "any" });
    expect(readCorsConfig({ CORS_ORIGINS: "off" })).toEqual({ origins: [] });
    expect(readCorsConfig({ CORS_ORIGINS: `https://uzum.uz/, ${extension}` })).toEqual({ origins: ["https://uzum.uz", extension] });
  });

  test("rejects a path or a bare host", () => {
    expect(() => readCorsConfig({ CORS_ORIGINS: "https://uzum.uz/uz/product" })).toThrow(ConfigError);
    expect(() => readCorsConfig({ CORS_ORIGINS: "uzum.uz" })).toThrow(ConfigError);
  });
});

// CORS depends on no database feature, so PGlite alone covers it.
describe("CORS for a listed extension", () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ kind: "pglite", env: { CORS_ORIGINS: `https://uzum.uz,${extension}` } });
    ({ token } = await app.signUp());
  });

  afterAll(() => app.close());

  test("preflight needs no token", async () => {
    const preflight = await app.request("OPTIONS", "/api/v1/uzum/batch-quick-score", {
      headers: { origin: extension, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });

    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(extension);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("authorization");
    expect(preflight.headers.get("vary")).toBe("Origin");
  });

  test("marks responses and errors for the origin", async () => {
    const scored = await app.request("POST", "/api/v1/uzum/batch-quick-score", { token, body: { product_ids: [1] }, headers: { origin: "https://uzum.uz" } });
    const unsigned = await app.request("POST", "/api/v1/uzum/batch-quick-score", { body: { product_ids: [1] }, headers: { origin: "https://uzum.uz" } });

    expect(scored.status).toBe(200);
    expect(scored.headers.get("access-control-allow-origin")).toBe("https://uzum.uz");
    expect(scored.headers.get("access-control-expose-headers")).toContain("x-request-id");
    // A browser shows the page the 401 only when the error carries the header too.
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("access-control-allow-origin")).toBe("https://uzum.uz");
  });

  test("leaves other origins without the headers", async () => {
    const response = await app.request("POST", "/api/v1/uzum/batch-quick-score", { token, body: { product_ids: [1] }, headers: { origin: "https://evil.example" } });
    const preflight = await app.request("OPTIONS", "/api/v1/uzum/batch-quick-score", {
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });

    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CORS by default", () => {
  test("allows any origin with *", async () => {
    const app = await createTestApp({ kind: "pglite" });
    try {
      const response = await app.request("GET", "/health", { headers: { origin: "https://seller-tools.example" } });
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
      expect(response.headers.get("vary")).toBeNull();
    } finally {
      await app.close();
    }
  });
});
