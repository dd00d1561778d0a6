/**
 * A stand-in for every Uzum host the weekly-buyers reader calls, for benchmarks. The path's first
 * segment picks the behaviour, so one process serves every scenario:
 *
 *   GET  /api/v2/product/{id}      REST product (any prefix before /api is ignored)
 *   POST /api/auth/token           anonymous token cookie
 *   POST /gql-ok/                  productPage with the weekly-buyers banner
 *   POST /gql-fail/                500
 *   POST /gql-hang/                never responds
 *   GET  /web-page/uz/product/-ID  the recorded server-rendered page (or a small built one)
 *   GET  /web-shell/uz/product/-ID a page whose banner a script inserts 100 ms after load
 *
 * Reads the recorded Uzum page and productPage from ../shared/fixtures/uzum when present.
 * Prints its URL, then which data it serves, on the first two lines of stdout.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { wireProduct } from "../../tests/helpers/uzum-wire";

const fixturesDir = resolve(import.meta.dir, "../../../shared/fixtures/uzum");
const recordedPagePath = join(fixturesDir, "product-page-1552187.uz.html");
const recordedGraphqlPath = join(fixturesDir, "graphql-productpage-1552187.uz.json");
const hasRecorded = existsSync(recordedPagePath) && existsSync(recordedGraphqlPath);

const bannerText = "Bu haftada 305 kishi sotib oldi";
const page = hasRecorded
  ? readFileSync(recordedPagePath, "utf8")
  : `<!doctype html><html><body><span data-test-id="text__product-banner">${bannerText}</span></body></html>`;

// A live productPage response to our query carries only `actions`, so the recorded actions are served alone.
const actions = hasRecorded
  ? (JSON.parse(readFileSync(recordedGraphqlPath, "utf8"))["pdp:get-product"] as { actions: unknown[] }).actions
  : [{ __typename: "MotivationAction", type: "MOTIVATION", location: "PRODUCT_BOTTOM_BAR", text: bannerText }];
const graphqlBody = JSON.stringify({ data: { productPage: { actions, __typename: "ProductPage" } } });

const shellPage = `<!doctype html><html><body><h1>Mahsulot</h1><div id="banner"></div>
<script>setTimeout(() => { document.getElementById("banner").textContent = ${JSON.stringify(bannerText)}; }, 100);</script></body></html>`;

const html = (body: string) => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 30,
  async fetch(request) {
    const path = new URL(request.url).pathname;

    const restId = /\/api\/v2\/product\/(\d+)$/.exec(path)?.[1];
    if (restId) return Response.json(wireProduct({ id: Number(restId), orders: 500 }));
    if (path.endsWith("/api/auth/token")) return new Response(null, { headers: { "set-cookie": "access_token=bench-token; Path=/" } });

    if (path === "/gql-ok/") return new Response(graphqlBody, { headers: { "content-type": "application/json" } });
    if (path === "/gql-fail/") return Response.json({ errors: [{ message: "down" }] }, { status: 500 });
    if (path === "/gql-hang/") return new Promise<Response>(() => {});

    if (path.startsWith("/web-page/")) return html(page);
    if (path.startsWith("/web-shell/")) return html(shellPage);
    return new Response("not found", { status: 404 });
  },
});

console.log(`http://127.0.0.1:${server.port}`);
console.log(hasRecorded ? "recorded page and productPage from shared fixtures" : "built page and productPage (shared fixtures absent)");
