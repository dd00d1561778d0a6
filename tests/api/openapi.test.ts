import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../helpers/app";
import { listOperations, templateParams, type Operation } from "../helpers/openapi";

/**
 * Writes that take no body because the path and the caller's token carry all their input. Any other
 * POST, PUT or PATCH must declare a body schema.
 */
const bodylessWrites = new Set([
  "POST /api/v1/auth/logout",
  "POST /api/v1/uzum/product/{id}/weekly-buyers",
  "POST /api/v1/products/{id}/track",
  "POST /api/v1/admin/jobs/{name}/run",
  "POST /api/v1/admin/users/{id}/deactivate",
  "POST /api/v1/admin/users/{id}/activate",
  "POST /api/v1/bot/link-code",
]);

/** Operations that read nothing from the request, so nothing in it can be malformed. */
function takesNoInput(operation: Operation): boolean {
  return !operation.secured && operation.pathParams.length === 0 && operation.queryParams.length === 0 && !operation.bodySchema;
}

describe("OpenAPI document", () => {
  let app: TestApp;
  let operations: Operation[];

  beforeAll(async () => {
    app = await createTestApp({ kind: "pglite" });
    const document = await app.request("GET", "/swagger/json");
    expect(document.status).toBe(200);
    operations = listOperations(document.body);
  });

  afterAll(() => app.close());

  test("lists the admin and AI routes", () => {
    const names = operations.map((operation) => `${operation.method} ${operation.path}`);
    expect(names).toContain("POST /api/v1/admin/accounts");
    expect(names).toContain("POST /api/v1/ai/explain/{productId}");
  });

  test("every operation declares its path parameters", () => {
    const missing = operations.flatMap((operation) =>
      templateParams(operation.path)
        .filter((name) => !operation.pathParams.some((parameter) => parameter.name === name && parameter.schema))
        .map((name) => `${operation.method} ${operation.path}: {${name}}`),
    );
    expect(missing).toEqual([]);
  });

  test("every write declares a body schema", () => {
    const missing = operations
      .filter((operation) => ["POST", "PUT", "PATCH"].includes(operation.method))
      .filter((operation) => !operation.bodySchema && !bodylessWrites.has(`${operation.method} ${operation.path}`))
      .map((operation) => `${operation.method} ${operation.path}`);
    expect(missing).toEqual([]);
  });

  test("every operation documents its 4xx responses", () => {
    const gaps: string[] = [];
    for (const operation of operations) {
      if (takesNoInput(operation)) continue;
      const name = `${operation.method} ${operation.path}`;
      const required = ["429"];
      if (operation.secured) required.push("401");
      if (operation.pathParams.length > 0 || operation.queryParams.length > 0 || operation.bodySchema) required.push("422");
      if (operation.pathParams.length > 0) required.push("404");
      if (operation.bodySchema) required.push("400");
      for (const status of required) if (!operation.responses.includes(status)) gaps.push(`${name}: ${status}`);
    }
    expect(gaps).toEqual([]);
  });
});
