import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

// The browser source runs Debian's Chromium against a local page whose banner a script inserts after load.
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) {
  console.warn(`[skip] weekly buyers through the browser: no Chromium at ${chromiumPath}. Run "apt-get install -y chromium" or set CHROMIUM_PATH.`);
}

/** A product page that the server sends without the banner; a script adds it 300 ms after load. */
function scriptedPage(banner: string | null): Response {
  const script = banner
    ? `<script>setTimeout(() => { document.getElementById("banner").textContent = ${JSON.stringify(banner)}; }, 300);</script>`
    : "";
  return new Response(`<!doctype html><html><body><h1>Krossovka</h1><div id="banner"></div>${script}</body></html>`, {
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

for (const kind of testDatabaseKinds()) {
  describe.skipIf(!hasChromium)(`weekly buyers through the browser (${kind})`, () => {
    let uzum: StubServer;
    let app: TestApp;
    let token: string;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const restId = /^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1];
        if (restId) return json(wireProduct({ id: Number(restId) }));
        if (request.path === "/api/auth/token") return new Response(null, { headers: { "set-cookie": "access_token=t; Path=/" } });
        if (request.path === "/graphql/") return json({ errors: [{ message: "down" }] }, 500);
        if (request.path === "/uz/product/-901") return scriptedPage("Bu haftada 57 kishi sotib oldi");
        if (request.path === "/uz/product/-902") return scriptedPage(null);
        return new Response("not found", { status: 404 });
      });
      app = await createTestApp({
        kind,
        env: {
          UZUM_API_URL: uzum.url,
          UZUM_GRAPHQL_URL: `${uzum.url}/graphql`,
          UZUM_ID_URL: uzum.url,
          UZUM_WEB_URL: uzum.url,
          CHROMIUM_PATH: chromiumPath,
          BROWSER_PAGE_TIMEOUT_MS: "3000",
        },
      });
      ({ token } = await app.signUp());
    });

    afterAll(async () => {
      await app.services.browser.close();
      await app.close();
      await uzum.stop();
    });

    test("browser reads a script-inserted banner", async () => {
      const response = await app.request("POST", "/api/v1/uzum/product/901/weekly-buyers", { token });

      expect(response.status).toBe(200);
      expect(response.body.sources.map((source: { outcome: string }) => source.outcome)).toEqual(["failed", "no_banner", "found"]);
      expect(response.body.sources[2]).toMatchObject({ source: "browser", weekly_buyers: 57, text: "Bu haftada 57 kishi sotib oldi", confidence: 0.7 });
      expect(response.body.analysis.weekly_buyers).toBe(57);
      expect(response.body.analysis.weekly_buyers_source).toBe("browser");
      expect(app.services.browser.stats().launches).toBe(1);
    });

    test("browser page without a banner is no_banner", async () => {
      const response = await app.request("POST", "/api/v1/uzum/product/902/weekly-buyers", { token });

      expect(response.status).toBe(200);
      expect(response.body.sources[2]).toMatchObject({ source: "browser", outcome: "no_banner", weekly_buyers: null, reason: "banner_not_found" });
      expect(response.body.analysis.weekly_buyers).toBeNull();
    });

    test("analysis never launches the browser", async () => {
      const launchesBefore = app.services.browser.stats().launches;
      await app.services.browser.close();

      const response = await app.request("POST", "/api/v1/uzum/analyze", { token, body: { url: "901" } });

      expect(response.status).toBe(200);
      expect(app.services.browser.stats().launches).toBe(launchesBefore);
    });
  });
}
