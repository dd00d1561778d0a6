import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { readSharedFixture, readSharedJson, skipWithoutSharedFixtures } from "../../helpers/fixtures";
import { json, startStub, type RecordedRequest, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

const noSharedFixtures = skipWithoutSharedFixtures("weekly buyers on recorded Uzum data");

type Handler = (productId: number, request: RecordedRequest) => Response | Promise<Response>;

/**
 * One stub plays every Uzum host: REST products, Uzum ID's token, GraphQL and the product pages.
 * Tests swap `graphql` and `page` to make a source respond, fail or hang.
 */
function startUzum() {
  const state = {
    catalogue: new Map<number, unknown>(),
    graphql: (() => json({}, 500)) as Handler,
    page: (() => new Response("not found", { status: 404 })) as Handler,
  };
  const stub = startStub((request) => {
    const restId = /^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1];
    if (restId) {
      const product = state.catalogue.get(Number(restId));
      return product ? json(product) : json({ errors: [{ message: "not found" }] }, 404);
    }
    if (request.path === "/api/auth/token") {
      return new Response(null, { headers: { "set-cookie": "access_token=anonymous-token; Path=/; HttpOnly" } });
    }
    if (request.path === "/graphql/") return state.graphql(JSON.parse(request.body).variables.id, request);

    const pageId = /^\/(?:uz|ru)\/product\/-(\d+)$/.exec(request.path)?.[1];
    return state.page(Number(pageId), request);
  });
  const env = {
    UZUM_API_URL: stub.url,
    UZUM_GRAPHQL_URL: `${stub.url}/graphql`,
    UZUM_ID_URL: stub.url,
    UZUM_WEB_URL: stub.url,
    // These suites run without a browser; the browser path has its own suite.
    CHROMIUM_PATH: "/nonexistent/chromium",
  };
  return { stub, state, env };
}

const motivation = (...texts: string[]) =>
  json({ data: { productPage: { actions: texts.map((text) => ({ __typename: "MotivationAction", type: "MOTIVATION", location: "PRODUCT_BOTTOM_BAR", text })) } } });
const html = (body: string) => new Response(`<!doctype html><html><body>${body}</body></html>`, { headers: { "content-type": "text/html" } });

for (const kind of testDatabaseKinds()) {
  describe(`weekly buyers (${kind})`, () => {
    let uzum: ReturnType<typeof startUzum>;
    let app: TestApp;
    let token: string;
    let release: () => void;
    let hanging: Promise<void>;
    // Each test starts two minutes after the previous one, so GraphQL paused by one test is back for the next.
    let minute = 0;

    const analyze = (productId: number) => app.request("POST", "/api/v1/uzum/analyze", { token, body: { url: String(productId) } });
    const forceRead = (productId: number) => app.request("POST", `/api/v1/uzum/product/${productId}/weekly-buyers`, { token });
    const productRow = async (productId: number) =>
      (await app.database.query<{ requested: unknown; checked: unknown }>(
        sql`SELECT weekly_buyers_requested_at AS requested, weekly_buyers_checked_at AS checked FROM products WHERE id = ${productId}`,
      ))[0];

    beforeAll(async () => {
      uzum = startUzum();
      app = await createTestApp({ kind, env: { ...uzum.env, WEEKLY_BUYERS_BUDGET_MS: "1500" } });
      ({ token } = await app.signUp());
    });

    afterAll(async () => {
      await app.services.browser.close();
      await app.close();
      await uzum.stub.stop();
    });

    beforeEach(() => {
      minute += 2;
      app.clock.set(new Date(Date.parse("2026-12-04T07:00:00Z") + minute * 60_000));
      hanging = new Promise((resolve) => (release = resolve));
      uzum.state.graphql = () => json({}, 500);
      uzum.state.page = () => new Response("not found", { status: 404 });
    });

    afterEach(() => release());

    // Reads ../shared/fixtures/uzum/graphql-productpage-1552187.uz.json. The file contains the productPage result as
    // the page embedded it, so the stub wraps it the way a live GraphQL response is: {data:{productPage:...}}.
    test.skipIf(noSharedFixtures)("analysis reads 305 from recorded GraphQL", async () => {
      const recorded = readSharedJson<Record<string, unknown>>("graphql-productpage-1552187.uz.json")["pdp:get-product"];
      uzum.state.catalogue.set(1552187, wireProduct({ id: 1552187, orders: 4000 }));
      uzum.state.graphql = (id) => (id === 1552187 ? json({ data: { productPage: recorded } }) : json({}, 500));

      const response = await analyze(1552187);

      expect(response.status).toBe(200);
      expect(response.body.weekly_buyers).toBe(305);
      expect(response.body.weekly_buyers_source).toBe("graphql");
      expect(response.body.weekly_buyers_text).toBe("Bu haftada 305 kishi sotib oldi");
      expect(response.body.weekly_buyers_confidence).toBe(1);
      expect(response.body.score_details.weekly_buyers_used).toBe(305);
      expect(response.body.score_details.weekly_buyers_basis).toBe("current");
      expect((await productRow(1552187)).checked).not.toBeNull();
      expect((await productRow(1552187)).requested).toBeNull();
    });

    // Reads ../shared/fixtures/uzum/product-page-1552187.uz.html, the recorded server-rendered page.
    test.skipIf(noSharedFixtures)("analysis reads 305 from recorded HTML", async () => {
      const recordedPage = readSharedFixture("product-page-1552187.uz.html");
      uzum.state.catalogue.set(1552188, wireProduct({ id: 1552188 }));
      uzum.state.page = () => html(recordedPage);

      const response = await analyze(1552188);

      expect(response.body.weekly_buyers).toBe(305);
      expect(response.body.weekly_buyers_source).toBe("html");
      expect(response.body.weekly_buyers_confidence).toBe(0.9);
    });

    test("banner beats the orders-delta estimate", async () => {
      uzum.state.catalogue.set(601, wireProduct({ id: 601, orders: 100 }));
      app.clock.set("2026-11-27T07:00:00Z");
      await analyze(601);
      app.clock.set(new Date(Date.parse("2026-12-04T07:00:00Z") + minute * 60_000));
      uzum.state.catalogue.set(601, wireProduct({ id: 601, orders: 170 }));
      uzum.state.graphql = () => motivation("Bu haftada 45 kishi sotib oldi");

      const response = await analyze(601);

      expect(response.body.weekly_buyers).toBe(45);
      expect(response.body.weekly_buyers_source).toBe("graphql");
      expect(response.body.score_details.weekly_buyers_used).toBe(45);
    });

    test("slow sources leave the estimate and queue the product", async () => {
      uzum.state.catalogue.set(602, wireProduct({ id: 602, orders: 100 }));
      app.clock.set("2026-11-27T07:00:00Z");
      uzum.state.graphql = () => motivation("Bu haftada 3 kishi sotib oldi");
      await analyze(602);
      app.clock.set(new Date(Date.parse("2026-12-04T07:00:00Z") + minute * 60_000));
      uzum.state.catalogue.set(602, wireProduct({ id: 602, orders: 170 }));
      const slow: Handler = async () => {
        await hanging;
        return motivation("Bu haftada 99 kishi sotib oldi");
      };
      uzum.state.graphql = slow;
      uzum.state.page = slow;

      const response = await analyze(602);

      expect(response.status).toBe(200);
      expect(response.body.weekly_buyers).toBe(70);
      expect(response.body.weekly_buyers_source).toBe("orders_delta");
      expect((await productRow(602)).requested).not.toBeNull();
    });

    test("score borrows last banner when today is unknown", async () => {
      uzum.state.catalogue.set(603, wireProduct({ id: 603, orders: 100 }));
      app.clock.set("2026-12-01T07:00:00Z");
      uzum.state.page = () => html("<span>Bu haftada 305 kishi sotib oldi</span>");
      expect((await analyze(603)).body.weekly_buyers).toBe(305);
      app.clock.set(new Date(Date.parse("2026-12-04T07:00:00Z") + minute * 60_000));
      uzum.state.page = () => new Response("not found", { status: 404 });

      const response = await analyze(603);

      expect(response.body.weekly_buyers).toBeNull();
      expect(response.body.weekly_buyers_source).toBeNull();
      expect(response.body.score_details.weekly_buyers_used).toBe(305);
      expect(response.body.score_details.weekly_buyers_basis).toBe("last_known");
      expect(response.body.score_details.weekly_buyers_date).toBe("2026-12-01");
    });

    test("later analysis keeps today's banner", async () => {
      uzum.state.catalogue.set(604, wireProduct({ id: 604 }));
      uzum.state.graphql = () => motivation("Bu haftada 12 kishi sotib oldi");
      await analyze(604);
      uzum.state.graphql = () => json({}, 500);

      const response = await analyze(604);

      expect(response.body.weekly_buyers).toBe(12);
      expect(response.body.weekly_buyers_source).toBe("graphql");
      expect((await productRow(604)).requested).toBeNull();
    });

    test("forced reading falls back to the HTML", async () => {
      uzum.state.catalogue.set(605, wireProduct({ id: 605 }));
      uzum.state.page = () => html('<span data-test-id="text__product-banner">Bu haftada 27 kishi sotib oldi</span>');

      const response = await forceRead(605);

      expect(response.status).toBe(200);
      expect(response.body.sources.map((source: { source: string; outcome: string }) => [source.source, source.outcome])).toEqual([
        ["graphql", "failed"],
        ["html", "found"],
        ["browser", "skipped"],
      ]);
      expect(response.body.sources[0].reason).toBe("http_500");
      expect(response.body.sources[1]).toMatchObject({ weekly_buyers: 27, text: "Bu haftada 27 kishi sotib oldi", confidence: 0.7, reason: null });
      expect(response.body.analysis.weekly_buyers).toBe(27);
      expect(response.body.analysis.weekly_buyers_source).toBe("html");
      expect(response.body.analysis.score_details.weekly_buyers_used).toBe(27);
      expect((await productRow(605)).checked).not.toBeNull();
    });

    test("HTML without a banner falls back to the browser", async () => {
      uzum.state.catalogue.set(606, wireProduct({ id: 606 }));
      uzum.state.page = () => html("<p>Krossovka</p>");

      const response = await forceRead(606);

      expect(response.status).toBe(200);
      expect(response.body.sources[1]).toMatchObject({ source: "html", outcome: "no_banner", reason: "banner_not_found" });
      expect(response.body.sources[2]).toMatchObject({ source: "browser", outcome: "skipped", reason: "browser_unavailable" });
      expect(response.body.analysis.weekly_buyers).toBeNull();
    });

    test("all sources failing is not an error response", async () => {
      uzum.state.catalogue.set(607, wireProduct({ id: 607 }));
      uzum.state.page = () => new Response("bad gateway", { status: 502 });

      const response = await forceRead(607);

      expect(response.status).toBe(200);
      expect(response.body.sources.map((source: { reason: string }) => source.reason)).toEqual(["http_500", "http_502", "browser_unavailable"]);
      expect(response.body.sources.every((source: { weekly_buyers: unknown }) => source.weekly_buyers === null)).toBe(true);
      expect(response.body.analysis.weekly_buyers).toBeNull();
      expect(response.body.analysis.product_id).toBe(607);
    });

    test("hanging sources are not an error response", async () => {
      uzum.state.catalogue.set(608, wireProduct({ id: 608 }));
      uzum.state.graphql = async () => {
        await hanging;
        return json({}, 500);
      };
      uzum.state.page = () => new Response("<html>", { status: 200 });
      release();

      const response = await forceRead(608);

      expect(response.status).toBe(200);
    });

    test("in-carts line is stored as its own signal", async () => {
      uzum.state.catalogue.set(609, wireProduct({ id: 609 }));
      uzum.state.graphql = () => motivation("7 ta insonning savatida");

      const response = await forceRead(609);

      expect(response.body.analysis.weekly_buyers).toBeNull();
      expect(response.body.analysis.weekly_buyers_source).toBeNull();
      expect(response.body.analysis.in_carts).toBe(7);
      expect(response.body.analysis.in_wishlists).toBeNull();
      expect(response.body.sources[0]).toMatchObject({ outcome: "no_banner", in_carts: 7, weekly_buyers: null });
    });

    test("banner above 5,000 a week is kept", async () => {
      uzum.state.catalogue.set(610, wireProduct({ id: 610 }));
      uzum.state.graphql = () => motivation("12 тыс. человек купили на этой неделе");

      const response = await forceRead(610);

      expect(response.body.analysis.weekly_buyers).toBe(12_000);
      expect(response.body.analysis.weekly_buyers_text).toBe("12 тыс. человек купили на этой неделе");
      expect(response.body.analysis.score_details.weekly_buyers_used).toBe(12_000);
    });

    test("forced reading analyses an unseen product", async () => {
      uzum.state.catalogue.set(611, wireProduct({ id: 611, orders: 55 }));
      uzum.state.graphql = () => motivation("Bu haftada 6 kishi sotib oldi");

      const response = await forceRead(611);

      expect(response.status).toBe(200);
      expect(response.body.analysis.orders_quantity).toBe(55);
      expect(response.body.analysis.weekly_buyers).toBe(6);
      expect(response.body.analysis.sell_price).toBe(100_000);
    });

    test("forced reading of an unknown product is 404", async () => {
      const response = await forceRead(612);

      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("PRODUCT_NOT_FOUND");
    });

    test("forced reading requires sign-in", async () => {
      const response = await app.request("POST", "/api/v1/uzum/product/605/weekly-buyers");

      expect(response.status).toBe(401);
    });
  });

  describe(`weekly-buyers scrape (${kind})`, () => {
    let uzum: ReturnType<typeof startUzum>;
    let app: TestApp;

    beforeAll(async () => {
      uzum = startUzum();
      // A zero budget leaves every reading to the scrape, and one worker makes the order observable.
      app = await createTestApp({ kind, env: { ...uzum.env, WEEKLY_BUYERS_BUDGET_MS: "0", WEEKLY_BUYERS_CONCURRENCY: "1" } });
    });

    afterAll(async () => {
      await app.services.browser.close();
      await app.close();
      await uzum.stub.stop();
    });

    test("reads queued then least recently checked", async () => {
      const seller = await app.signUp();
      const suspended = await app.signUp();
      for (const id of [701, 702, 703, 704, 705, 706]) uzum.state.catalogue.set(id, wireProduct({ id }));
      for (const id of [701, 702, 703, 704, 705]) {
        expect((await app.request("POST", `/api/v1/products/${id}/track`, { token: seller.token })).status).toBe(201);
      }
      await app.request("POST", "/api/v1/products/706/track", { token: suspended.token });
      await app.request("DELETE", "/api/v1/products/705/track", { token: seller.token });
      await app.database.query(sql`UPDATE accounts SET status = 'SUSPENDED' WHERE id = ${suspended.accountId}`);
      await app.database.query(sql`
        UPDATE products SET
          weekly_buyers_requested_at = CASE id WHEN 703 THEN '2026-12-04T05:00:00Z'::timestamptz ELSE NULL END,
          weekly_buyers_checked_at = CASE id
            WHEN 701 THEN '2026-12-03T09:00:00Z'::timestamptz
            WHEN 702 THEN '2026-12-02T09:00:00Z'::timestamptz
            WHEN 703 THEN '2026-12-04T06:00:00Z'::timestamptz
            ELSE NULL END`);

      // GraphQL has no page for 702 and its HTML fails, so no source can read it.
      uzum.state.graphql = (id) => (id === 702 ? json({ data: { productPage: null } }) : motivation(`Bu haftada ${id - 700} kishi sotib oldi`));
      uzum.state.page = () => new Response("bad gateway", { status: 502 });
      uzum.stub.requests.length = 0;

      const summary = await app.services.weeklyBuyers.scrapeTracked();

      const graphqlOrder = uzum.stub.requests
        .filter((request) => request.path === "/graphql/")
        .map((request) => JSON.parse(request.body).variables.id);
      expect([...new Set(graphqlOrder)]).toEqual([703, 704, 702, 701]);
      expect(summary).toMatchObject({ total: 4, read: 3, bySource: { graphql: 3, html: 0, browser: 0 }, noBanner: 0, failed: 1, stopped: false });

      const stored = await app.database.query<{ id: number; weekly: number | null; requested: unknown; checked: unknown }>(sql`
        SELECT p.id, s.weekly_buyers AS weekly, p.weekly_buyers_requested_at AS requested, p.weekly_buyers_checked_at AS checked
        FROM products p JOIN product_snapshots s ON s.product_id = p.id AND s.snapshot_date = '2026-12-04'
        WHERE p.id IN (701, 702, 703, 704) ORDER BY p.id`);
      expect(stored.map((row) => [Number(row.id), row.weekly])).toEqual([
        [701, 1],
        [702, null],
        [703, 3],
        [704, 4],
      ]);
      expect(stored.every((row) => row.requested === null && row.checked !== null)).toBe(true);
    });

    test("failed product does not stop the run", async () => {
      // 701 has no snapshot today and Uzum's REST no longer has it, so its analysis fails.
      await app.database.query(sql`DELETE FROM product_snapshots WHERE product_id = 701 AND snapshot_date = '2026-12-04'`);
      uzum.state.catalogue.delete(701);
      uzum.state.graphql = (id) => motivation(`Bu haftada ${id - 690} kishi sotib oldi`);

      const summary = await app.services.weeklyBuyers.scrapeTracked();

      expect(summary.total).toBe(4);
      expect(summary.failed).toBe(1);
      expect(summary.read).toBe(3);
    });

    test("aborted signal stops the run", async () => {
      const controller = new AbortController();
      controller.abort();

      const summary = await app.services.weeklyBuyers.scrapeTracked({ signal: controller.signal });

      expect(summary.stopped).toBe(true);
      expect(summary.read + summary.noBanner + summary.failed).toBe(0);
    });
  });
}
