import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BrowserPool } from "../../../src/lib/browser-pool";
import { createLogger } from "../../../src/lib/logger";
import { CategoryPageError, readCategoryPage } from "../../../src/modules/discovery/page-listing";
import { createTestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { readSharedFixture, skipWithoutSharedFixtures } from "../../helpers/fixtures";
import { startStub, type StubServer } from "../../helpers/stub-server";
import { startUzumStub } from "./uzum-stub";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const noChromium = !existsSync(chromiumPath);
if (noChromium) console.warn(`[skip] category page in the browser: no Chromium at ${chromiumPath}; install Debian's chromium package.`);
const noSharedFixtures = skipWithoutSharedFixtures("category page in the browser on the recorded error page");

const pageTemplate = readFileSync(join(import.meta.dir, "../../fixtures/discovery/category-page.ru.html"), "utf8");
const categoryPage = (total: number) => pageTemplate.replace("__TOTAL__", String(total));

/**
 * Removes everything from a recorded page that would make the browser reach for another host
 * (scripts, frames, styles, links and images), keeping the markup the reader looks at.
 */
function offline(html: string): string {
  return html
    .replace(/<(script|iframe|style|noscript)\b[\s\S]*?<\/\1>/gi, "")
    .replace(/<(link|img|source)\b[^>]*>/gi, "");
}

const html = (body: string) => new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });

describe.skipIf(noChromium)("readCategoryPage", () => {
  let pool: BrowserPool;
  let site: StubServer;
  let pages: Record<string, string>;

  beforeAll(() => {
    pool = new BrowserPool({ executablePath: chromiumPath, pageTimeoutMs: 20_000, logger: createLogger("silent") });
    site = startStub((request) => (pages[request.path] ? html(pages[request.path]) : new Response("not found", { status: 404 })));
  });

  afterAll(async () => {
    await pool.close();
    await site.stop();
  });

  test("reads the listing's cards in page order", async () => {
    pages = { "/ru/category/makiyazh--10091": categoryPage(3) };

    const listing = await readCategoryPage(pool, `${site.url}/ru/category/makiyazh--10091`, { maxProducts: 500, budgetMs: 15_000 });

    expect(listing.categoryName).toBe("Макияж");
    expect(listing.products).toEqual([
      { productId: 1001, title: "Товар 1" },
      { productId: 1002, title: "Товар 2" },
      { productId: 1003, title: "Товар 3" },
    ]);
  });

  test("scrolls until enough cards are shown", async () => {
    pages = { "/ru/category/makiyazh--10091": categoryPage(150) };

    const listing = await readCategoryPage(pool, `${site.url}/ru/category/makiyazh--10091`, { maxProducts: 100, budgetMs: 15_000 });

    expect(listing.products).toHaveLength(100);
    expect(listing.products.at(-1)).toEqual({ productId: 1100, title: "Товар 100" });
  });

  test("stops scrolling when the page adds no more", async () => {
    pages = { "/ru/category/makiyazh--10091": categoryPage(60) };

    const listing = await readCategoryPage(pool, `${site.url}/ru/category/makiyazh--10091`, { maxProducts: 500, budgetMs: 15_000 });

    expect(listing.products).toHaveLength(60);
  });

  // Reads ../shared/fixtures/uzum/category-page-10091-error-popular.ru.html, a rendered page where Uzum's
  // search failed and only the "Популярные товары" carousel of other products was shown.
  test.skipIf(noSharedFixtures)("rejects the recorded error page", async () => {
    pages = { "/ru/category/makiyazh--10091": offline(readSharedFixture("category-page-10091-error-popular.ru.html")) };

    const reading = readCategoryPage(pool, `${site.url}/ru/category/makiyazh--10091`, { maxProducts: 500, budgetMs: 15_000 });

    await expect(reading).rejects.toBeInstanceOf(CategoryPageError);
    await expect(reading).rejects.toThrow('Uzum\'s category page showed an error instead of products: "Что-то пошло не так"');
  });
});

for (const kind of testDatabaseKinds()) {
  describe.skipIf(noChromium)(`browser fallback (${kind})`, () => {
    const stub = startUzumStub();
    afterEach(() => {
      stub.requests.length = 0;
    });
    afterAll(() => stub.stop());

    test("lists from the page when GraphQL fails", async () => {
      stub.handlers.listing = () => new Response("bad gateway", { status: 502 });
      stub.handlers.page = (path) => (path === "/ru/category/makiyazh--10091" ? html(categoryPage(5)) : new Response("not found", { status: 404 }));
      const app = await createTestApp({ kind, env: { ...stub.env, CHROMIUM_PATH: chromiumPath, DISCOVERY_RATE_PER_SECOND: "0" } });
      try {
        const { token } = await app.signUp();
        const created = await app.request("POST", "/api/v1/discovery/runs", { token, body: { input: "https://uzum.uz/ru/category/makiyazh--10091" } });
        await app.services.discoveryWorker.processNext();

        const run = (await app.request("GET", `/api/v1/discovery/runs/${created.body.id}`, { token })).body;
        expect(run.status).toBe("FINISHED");
        expect(run.source).toBe("browser");
        expect(run.category_name).toBe("Макияж");
        expect(run.progress).toMatchObject({ processed: 5, total: 5, fetched: 5 });
        expect(stub.productRequests().sort((a, b) => a - b)).toEqual([1001, 1002, 1003, 1004, 1005]);
      } finally {
        await app.services.browser.close();
        await app.close();
      }
    }, 60_000);
  });
}
