import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { proxiedHeader, startForwardProxy, type ForwardProxy } from "../../helpers/forward-proxy";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

for (const kind of testDatabaseKinds()) {
  describe(`PROXY_URL (${kind})`, () => {
    let uzum: StubServer;
    let proxy: ForwardProxy;
    let app: TestApp;

    beforeAll(async () => {
      // One stub plays Uzum REST, GraphQL, Uzum ID and the web pages.
      uzum = startStub((request) => {
        const productId = /^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1];
        if (productId) return json(wireProduct({ id: Number(productId) }));
        if (request.path === "/api/auth/token") {
          return new Response("{}", { headers: { "set-cookie": "access_token=stub-token; Path=/", "content-type": "application/json" } });
        }
        if (request.path === "/") return json({ data: { productPage: null } });
        return new Response("not found", { status: 404 });
      });
      proxy = await startForwardProxy();
      app = await createTestApp({
        kind,
        env: {
          PROXY_URL: proxy.url,
          UZUM_API_URL: uzum.url,
          UZUM_GRAPHQL_URL: uzum.url,
          UZUM_ID_URL: uzum.url,
          UZUM_WEB_URL: uzum.url,
          // A budget long enough for the banner reading, so GraphQL, its token and the page are requested too.
          WEEKLY_BUYERS_BUDGET_MS: "5000",
          CHROMIUM_PATH: "/nonexistent/chromium",
        },
      });
    });

    afterAll(async () => {
      await app.close();
      await proxy.stop();
      await uzum.stop();
    });

    test("sends every Uzum request through the proxy", async () => {
      const { token } = await app.signUp();

      const response = await app.request("POST", "/api/v1/uzum/analyze", { token, body: { url: "https://uzum.uz/uz/product/-6100001" } });
      expect(response.status).toBe(200);

      const paths = uzum.requests.map((request) => request.path);
      expect(paths).toContain("/api/v2/product/6100001");
      expect(paths).toContain("/api/auth/token");
      expect(paths).toContain("/");
      for (const request of uzum.requests) expect(request.headers.get(proxiedHeader)).toBe("1");
      expect(proxy.forwarded.length).toBe(uzum.requests.length);
    });
  });
}
