import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { BrowserPool } from "../../src/lib/browser-pool";
import { createLogger } from "../../src/lib/logger";
import { proxiedHeader, startForwardProxy, type ForwardProxy } from "../helpers/forward-proxy";
import { startStub, type StubServer } from "../helpers/stub-server";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const hasChromium = existsSync(chromiumPath);
if (!hasChromium) console.warn(`browser proxy test skipped: no Chromium at ${chromiumPath}. Run "apt-get install -y chromium" or set CHROMIUM_PATH.`);

describe.skipIf(!hasChromium)("BrowserPool with PROXY_URL", () => {
  let page: StubServer;
  let proxy: ForwardProxy;
  let pool: BrowserPool;

  beforeAll(async () => {
    page = startStub(() => new Response("<html><body><p>Bu haftada 42 kishi sotib oldi</p></body></html>", { headers: { "content-type": "text/html" } }));
    proxy = await startForwardProxy();
    pool = new BrowserPool({ executablePath: chromiumPath, proxyUrl: proxy.url, logger: createLogger("silent"), idleCloseMs: 0 });
  });

  afterAll(async () => {
    await pool.close();
    await proxy.stop();
    await page.stop();
  });

  test("loads pages through the proxy", async () => {
    const result = await pool.readText(`${page.url}/uz/product/-5100001`, { waitForText: /kishi sotib oldi/ });

    expect(result.matched).toBe(true);
    expect(proxy.forwarded).toContain(`${page.url}/uz/product/-5100001`);
    const documentRequest = page.requests.find((request) => request.path === "/uz/product/-5100001");
    expect(documentRequest?.headers.get(proxiedHeader)).toBe("1");
  }, 60_000);
});
