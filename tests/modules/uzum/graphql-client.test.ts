import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { UpstreamError } from "../../../src/lib/errors";
import { createLogger } from "../../../src/lib/logger";
import { FakeClock } from "../../../src/lib/time";
import { UzumGraphqlClient, webClientVersion } from "../../../src/modules/uzum/graphql-client";
import { readSharedJson, skipWithoutSharedFixtures } from "../../helpers/fixtures";
import { json, startStub, type RecordedRequest, type StubServer } from "../../helpers/stub-server";

const noSharedFixtures = skipWithoutSharedFixtures("GraphQL client on the recorded productPage");

/** Builds an unsigned JWT with the given `exp`, the only claim the client reads. */
function jwt(expSeconds: number, marker: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ exp: expSeconds, sub: marker })}.signature`;
}

function productPageAnswer(actions: unknown[]) {
  return json({ data: { productPage: { actions, __typename: "ProductPage" } } });
}

let stub: StubServer;
let clock: FakeClock;
let issuedTokens: string[];
let graphqlAnswer: (request: RecordedRequest) => Response;

function newClient() {
  return new UzumGraphqlClient({
    graphqlUrl: stub.url,
    idUrl: `${stub.url}/id`,
    webUrl: "https://uzum.uz",
    timeoutMs: 2_000,
    maxRetries: 0,
    maxConcurrency: 4,
    logger: createLogger("silent"),
    clock,
  });
}

const tokenRequests = () => stub.requests.filter((request) => request.path === "/id/api/auth/token");
const graphqlRequests = () => stub.requests.filter((request) => request.path === "/");

beforeEach(() => {
  clock = new FakeClock("2026-12-04T07:00:00Z");
  issuedTokens = [];
  graphqlAnswer = () => productPageAnswer([]);
  stub = startStub((request) => {
    if (request.path === "/id/api/auth/token") {
      const token = jwt(clock.now().getTime() / 1000 + 600, `token-${issuedTokens.length + 1}`);
      issuedTokens.push(token);
      return new Response(null, { status: 200, headers: { "set-cookie": `access_token=${token}; Path=/; HttpOnly` } });
    }
    return graphqlAnswer(request);
  });
});

afterEach(() => stub.stop());

describe("UzumGraphqlClient", () => {
  // Reads ../shared/fixtures/uzum/graphql-productpage-1552187.uz.json. The file contains the productPage
  // result as the page embedded it, so the stub wraps it the way a live response is: {data:{productPage:...}}.
  test.skipIf(noSharedFixtures)("reads 305 from the recorded productPage", async () => {
    const recorded = readSharedJson<Record<string, unknown>>("graphql-productpage-1552187.uz.json")["pdp:get-product"];
    graphqlAnswer = () => json({ data: { productPage: recorded } });

    const page = await newClient().productPageBanners(1552187);

    expect(page.pageFound).toBe(true);
    expect(page.findings).toEqual([
      { text: "Bu haftada 305 kishi sotib oldi", reading: { kind: "weekly_buyers", count: 305 }, origin: "actions" },
    ]);
  });

  test("sends the web client's headers and token", async () => {
    const client = newClient();
    await client.productPageBanners(7, { locale: "ru" });
    await client.productPageBanners(8);

    const [first, second] = graphqlRequests();
    expect(first.method).toBe("POST");
    expect(first.headers.get("apollographql-client-name")).toBe("web-customers");
    expect(first.headers.get("apollographql-client-version")).toBe(webClientVersion);
    expect(first.headers.get("accept-language")).toStartWith("ru-RU");
    expect(second.headers.get("accept-language")).toStartWith("uz-UZ");
    expect(first.headers.get("x-iid")).toBe(client.installationId);
    expect(second.headers.get("x-iid")).toBe(client.installationId);
    expect(first.headers.get("authorization")).toStartWith("Bearer ");
    expect(first.headers.get("authorization")).toContain(".");
    expect(JSON.parse(first.body)).toMatchObject({ operationName: "productPage", variables: { id: 7 } });
    expect(JSON.parse(first.body).query).toContain("MotivationAction");
  });

  test("token request has no body", async () => {
    await newClient().productPageBanners(7);

    expect(tokenRequests()).toHaveLength(1);
    expect(tokenRequests()[0].method).toBe("POST");
    expect(tokenRequests()[0].body).toBe("");
  });

  test("reuses the token until it expires", async () => {
    const client = newClient();
    await Promise.all([client.productPageBanners(1), client.productPageBanners(2), client.productPageBanners(3)]);
    expect(tokenRequests()).toHaveLength(1);

    // The token's exp is 600 s ahead; it is renewed 30 s early.
    clock.advance(560_000);
    await client.productPageBanners(4);
    expect(tokenRequests()).toHaveLength(1);

    clock.advance(20_000);
    await client.productPageBanners(5);
    expect(tokenRequests()).toHaveLength(2);
  });

  test("401 renews the token and retries once", async () => {
    let rejected = 0;
    graphqlAnswer = (request) => {
      if (request.headers.get("authorization") === `Bearer ${issuedTokens[0]}` && rejected === 0) {
        rejected += 1;
        return json({ message: "expired" }, 401);
      }
      return productPageAnswer([{ __typename: "MotivationAction", type: "MOTIVATION", text: "Bu haftada 9 kishi sotib oldi" }]);
    };

    const page = await newClient().productPageBanners(9);

    expect(page.findings.map((finding) => finding.reading.count)).toEqual([9]);
    expect(tokenRequests()).toHaveLength(2);
    expect(graphqlRequests()).toHaveLength(2);
    expect(graphqlRequests()[1].headers.get("authorization")).toBe(`Bearer ${issuedTokens[1]}`);
  });

  test("second 401 fails as unauthorized", async () => {
    graphqlAnswer = () => json({ message: "no" }, 401);

    const failure = await newClient().productPageBanners(9).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).status).toBe(502);
    expect((failure as UpstreamError).details).toEqual({ reason: "unauthorized" });
    expect(graphqlRequests()).toHaveLength(2);
  });

  test("500 maps to UZUM_UNAVAILABLE 502", async () => {
    graphqlAnswer = () => json({ errors: [{ message: "down" }] }, 500);

    const failure = (await newClient().productPageBanners(9).catch((error: unknown) => error)) as UpstreamError;

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure.code).toBe("UZUM_UNAVAILABLE");
    expect(failure.status).toBe(502);
    expect(failure.details).toEqual({ reason: "http_500" });
  });

  test("errors without data fail", async () => {
    graphqlAnswer = () => json({ data: null, errors: [{ message: "Cannot query field" }] });

    const failure = (await newClient().productPageBanners(9).catch((error: unknown) => error)) as UpstreamError;

    expect(failure.details).toEqual({ reason: "graphql_errors", messages: ["Cannot query field"] });
  });

  test("invalid JSON fails", async () => {
    graphqlAnswer = () => new Response("<html>", { status: 200 });

    const failure = (await newClient().productPageBanners(9).catch((error: unknown) => error)) as UpstreamError;

    expect(failure.details).toEqual({ reason: "invalid_json" });
  });

  test("null productPage means no page", async () => {
    graphqlAnswer = () => json({ data: { productPage: null } });

    expect(await newClient().productPageBanners(9)).toEqual({ pageFound: false, findings: [] });
  });

  test("missing token cookie fails", async () => {
    await stub.stop();
    stub = startStub(() => json({ ok: true }));

    const failure = (await newClient().productPageBanners(9).catch((error: unknown) => error)) as UpstreamError;

    expect(failure.upstream).toBe("uzum-id");
    expect(failure.details).toEqual({ reason: "token_missing" });
  });

  test("unreachable GraphQL is 503", async () => {
    const closed = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
    const deadUrl = `http://127.0.0.1:${closed.port}`;
    closed.stop(true);
    const client = new UzumGraphqlClient({
      graphqlUrl: deadUrl,
      idUrl: `${stub.url}/id`,
      webUrl: "https://uzum.uz",
      timeoutMs: 2_000,
      maxRetries: 0,
      maxConcurrency: 1,
      logger: createLogger("silent"),
      clock,
    });

    const failure = (await client.productPageBanners(9).catch((error: unknown) => error)) as UpstreamError;

    expect(failure.status).toBe(503);
    expect(failure.details).toEqual({ reason: "network" });
  });
});
