import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import pino from "pino";
import { AppError, UpstreamError } from "../../src/lib/errors";
import { httpBase } from "../../src/lib/http";

/** Builds an app with the HTTP base and three failing routes, logging into `lines` and reporting into `reports`. */
function failingApp() {
  const lines: Array<Record<string, unknown>> = [];
  const reports: Array<{ status: number; path: string }> = [];
  const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const app = new Elysia()
    .use(httpBase({ logger, production: true, reportError: (_error, context) => reports.push(context) }))
    .get("/switched-off", () => {
      throw new AppError(503, "BOT_DISABLED");
    })
    .get("/upstream-down", () => {
      throw new UpstreamError(503, "UZUM_UNAVAILABLE", "uzum-rest", { reason: "network" });
    })
    .get("/bug", () => {
      throw new Error("a programming error");
    });
  const get = (path: string) => app.handle(new Request(`http://localhost${path}`));
  return { get, lines, reports };
}

describe("httpBase 5xx handling", () => {
  test("a switched-off part is a warning", async () => {
    const { get, lines, reports } = failingApp();
    const response = await get("/switched-off");

    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe("BOT_DISABLED");
    expect(reports).toEqual([]);
    const logged = lines.find((line) => line.msg === "request.unavailable");
    expect(logged?.level).toBe(40);
    expect(logged?.err).toBeUndefined();
  });

  test("upstream failures and bugs are reported", async () => {
    const { get, lines, reports } = failingApp();
    expect((await get("/upstream-down")).status).toBe(503);
    expect((await get("/bug")).status).toBe(500);

    expect(reports.map((report) => [report.path, report.status])).toEqual([
      ["/upstream-down", 503],
      ["/bug", 500],
    ]);
    expect(lines.filter((line) => line.msg === "request.failed").map((line) => line.level)).toEqual([50, 50]);
  });
});

describe("httpBase validation details", () => {
  test("lists the allowed values of a choice", async () => {
    const app = new Elysia()
      .use(httpBase({ logger: pino({ level: "silent" }), production: false }))
      .post("/explain", ({ body }) => body, { body: t.Object({ language: t.Union([t.Literal("uz"), t.Literal("ru"), t.Literal("en")]) }) });
    const response = await app.handle(
      new Request("http://localhost/explain", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ language: "de" }) }),
    );
    const body = await response.json();

    expect(response.status).toBe(422);
    expect(body.error.details.errors).toEqual([{ path: "/language", message: `Property 'language' should be one of: "uz", "ru", "en"` }]);
  });
});
