import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "./helpers/app";

describe("HTTP basics", () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await createTestApp({ kind: "pglite" });
    ({ token } = await app.signUp());
  });

  afterAll(() => app.close());

  test("reports health and readiness", async () => {
    const health = await app.request("GET", "/health");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok" });

    const ready = await app.request("GET", "/ready");
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe("ready");
    expect(ready.body.database.migrations.applied).toBe(ready.body.database.migrations.expected);
  });

  test("answers malformed JSON with 400 INVALID_JSON", async () => {
    const response = await app.request("POST", "/api/v1/uzum/analyze", {
      token,
      rawBody: '{"url": ',
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("INVALID_JSON");
  });

  test("answers wrong types and missing fields with 422", async () => {
    const cases: unknown[] = [{}, { url: 5 }, { url: "" }, { url: "x".repeat(3000) }, [], "text"];
    for (const body of cases) {
      const response = await app.request("POST", "/api/v1/uzum/analyze", { token, body });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");
    }
  });

  test("answers a non-numeric id with 422, not 500", async () => {
    for (const path of ["/api/v1/products/abc", "/api/v1/products/-1", "/api/v1/uzum/product/1.5/quick-score"]) {
      const response = await app.request("GET", path, { token });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe("VALIDATION_FAILED");
    }
  });

  test("answers an unknown route with 404 ROUTE_NOT_FOUND", async () => {
    const response = await app.request("GET", "/api/v1/nothing-here", { token });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("ROUTE_NOT_FOUND");
  });

  test("answers a known route's wrong method with 405", async () => {
    const analyze = await app.request("PUT", "/api/v1/uzum/analyze", { token, body: { url: "1772350" } });
    expect(analyze.status).toBe(405);
    expect(analyze.body.error.code).toBe("METHOD_NOT_ALLOWED");
    expect(analyze.headers.get("allow")).toBe("POST");

    const product = await app.request("PATCH", "/api/v1/products/1772350", { token });
    expect(product.status).toBe(405);
    expect(product.body.error.details.allowed_methods).toEqual(["GET"]);
  });

  test("localises messages by Accept-Language", async () => {
    const messages: Record<string, string> = {};
    for (const language of ["uz", "ru-RU,ru;q=0.9", "en-US", "de, en;q=0.5", "fr"]) {
      const response = await app.request("GET", "/api/v1/products/123456", { token, headers: { "accept-language": language } });
      expect(response.body.error.code).toBe("PRODUCT_NOT_ANALYZED");
      messages[language] = response.body.error.message;
    }
    expect(messages.uz).toContain("tahlil");
    expect(messages["ru-RU,ru;q=0.9"]).toContain("анализ");
    expect(messages["en-US"]).toContain("analysed");
    expect(messages["de, en;q=0.5"]).toBe(messages["en-US"]);
    // Uzbek is the default for a language we do not speak.
    expect(messages.fr).toBe(messages.uz);
  });

  test("echoes a request id", async () => {
    const given = await app.request("GET", "/health", { headers: { "x-request-id": "trace-123" } });
    expect(given.headers.get("x-request-id")).toBe("trace-123");

    const generated = await app.request("GET", "/health");
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("publishes the OpenAPI document and docs page", async () => {
    const spec = await app.request("GET", "/swagger/json");
    expect(spec.status).toBe(200);
    const paths = Object.keys(spec.body.paths);
    for (const path of ["/api/v1/uzum/analyze", "/api/v1/products/tracked", "/api/v1/auth/login", "/health", "/ready"]) {
      expect(paths).toContain(path);
    }
    const analyze = spec.body.paths["/api/v1/uzum/analyze"].post;
    expect(Object.keys(analyze.responses)).toEqual(expect.arrayContaining(["200", "400", "401", "422", "502"]));

    const page = await app.request("GET", "/swagger");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
  });
});
