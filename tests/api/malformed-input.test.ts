import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp, type TestResponse } from "../helpers/app";
import { signInOperator } from "../helpers/admin";
import { listOperations, type Operation } from "../helpers/openapi";
import { json, startStub, type StubServer } from "../helpers/stub-server";

const unknownUuid = "00000000-0000-4000-8000-000000000000";

/** Returns a value of the schema's type, for path parameters and for the fields a case keeps valid. */
function sampleValue(schema: any, name = ""): unknown {
  if (!schema) return "x";
  const options: any[] | undefined = schema.anyOf ?? schema.oneOf;
  if (options) {
    // Elysia documents a numeric path parameter as a numeric string or an integer; take the integer.
    const preferred = options.find((option) => option.type === "integer" || option.type === "number") ?? options.find((option) => option.type !== "null");
    return sampleValue(preferred ?? options[0], name);
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find((candidate: string) => candidate !== "null") : schema.type;
  switch (type) {
    case "integer":
    case "number":
      return name === "id" || name === "productId" ? 999_999_937 : Math.max(schema.minimum ?? 1, 1);
    case "boolean":
      return true;
    case "array":
      return (schema.minItems ?? 0) > 0 ? [sampleValue(schema.items, name)] : [];
    case "object": {
      const value: Record<string, unknown> = {};
      const fields: string[] = schema.required ?? [];
      if (fields.length === 0 && (schema.minProperties ?? 0) > 0) fields.push(Object.keys(schema.properties ?? {})[0]);
      for (const field of fields) value[field] = sampleValue(schema.properties?.[field], field);
      return value;
    }
    default:
      if (schema.format === "uuid") return unknownUuid;
      if (schema.format === "email") return "sweep@example.uz";
      if (name === "password") return "Kuchli-parol-2026";
      if (schema.pattern === "^[a-z0-9_.]+$") return "no_such_thing";
      return "no-such-thing";
  }
}

/** Returns an object with every field of the schema set to a value of another type. */
function wrongTypes(schema: any): unknown {
  if (schema?.type !== "object" || !schema.properties) return [1, 2, 3];
  const value: Record<string, unknown> = {};
  for (const [field, property] of Object.entries<any>(schema.properties)) {
    const type = property.type ?? property.anyOf?.[0]?.type;
    value[field] = type === "string" ? 12345 : type === "array" ? "not-an-array" : type === "object" ? 7 : "not-a-number";
  }
  return value;
}

function concretePath(operation: Operation): string {
  let path = operation.path;
  for (const parameter of operation.pathParams) path = path.replace(`{${parameter.name}}`, String(sampleValue(parameter.schema, parameter.name)));
  return path;
}

describe("malformed input on every route", () => {
  let uzum: StubServer;
  let app: TestApp;
  let token: string;
  let operations: Operation[];
  const problems: string[] = [];

  beforeAll(async () => {
    uzum = startStub(() => json({ errors: [{ message: "not found" }] }, 404));
    app = await createTestApp({
      kind: "pglite",
      env: { UZUM_API_URL: uzum.url, UZUM_GRAPHQL_URL: uzum.url, UZUM_WEB_URL: uzum.url, METRICS_TOKEN: "metrics-token-for-tests" },
    });
    ({ token } = await signInOperator(app));
    operations = listOperations((await app.request("GET", "/swagger/json")).body).filter(
      (operation) => operation.secured || operation.pathParams.length > 0 || operation.bodySchema,
    );
  });

  afterAll(async () => {
    await app.close();
    await uzum.stop();
  });

  /** Records a problem instead of failing at once, so one run lists every route that misbehaves. */
  function check(operation: Operation, label: string, response: TestResponse, expected: number[]): void {
    const name = `${operation.method} ${operation.path} (${label})`;
    if (response.status >= 500) problems.push(`${name}: ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
    else if (!expected.includes(response.status)) problems.push(`${name}: expected ${expected.join(" or ")}, got ${response.status}`);
    else if (typeof response.body?.error?.code !== "string") problems.push(`${name}: no error envelope`);
  }

  test("answers a 4xx with the envelope, never a 5xx", async () => {
    for (const operation of operations) {
      const path = concretePath(operation);
      const send = (options: Parameters<TestApp["request"]>[2]) => app.request(operation.method, path, { token, ...options });

      // A valid body, so that the missing token is the only fault.
      const validBody = operation.bodySchema ? sampleValue(operation.bodySchema) : undefined;
      if (operation.secured) {
        check(operation, "no token", await app.request(operation.method, path, { body: validBody }), [401]);
        // The token is checked before the body, so a caller without one gets 401 rather than 422.
        if (operation.bodySchema) {
          check(operation, "no token, wrong types", await app.request(operation.method, path, { body: wrongTypes(operation.bodySchema) }), [401]);
        }
      }

      if (operation.bodySchema) {
        const json = { "content-type": "application/json" };
        check(operation, "malformed JSON", await send({ rawBody: '{"broken": ', headers: json }), [400]);
        check(operation, "wrong types", await send({ body: wrongTypes(operation.bodySchema) }), [400, 422]);
        if ((operation.bodySchema.required ?? []).length > 0) check(operation, "missing fields", await send({ body: {} }), [400, 422]);
        const oversized = { ...json, "content-length": String(2 * 1024 * 1024) };
        check(operation, "oversized body", await send({ rawBody: "{}", headers: oversized }), [413]);
      }

      if (operation.pathParams.length > 0) {
        check(operation, "unknown id", await send({ body: validBody }), [404]);
      }
    }
    expect(problems).toEqual([]);
  });
});
