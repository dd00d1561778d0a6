import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createBotTestApp, type BotTestApp } from "../../helpers/bot";
import { testDatabaseKinds } from "../../helpers/database";
import { readSample } from "../../helpers/prometheus";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

/** Price the Uzum stub serves per product id. */
const prices = new Map<number, number>();
let nextChatId = 9_300;
let nextProductId = 9_400;

for (const kind of testDatabaseKinds()) {
  describe(`discovery and alert metrics (${kind})`, () => {
    let uzum: StubServer;
    let app: BotTestApp;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        return json(wireProduct({ id, skus: [{ id: id * 10, price: prices.get(id) ?? 100_000, stock: 20 }] }));
      });
      app = await createBotTestApp({
        kind,
        env: { UZUM_API_URL: uzum.url, UZUM_MAX_RETRIES: "0", WEEKLY_BUYERS_BUDGET_MS: "0", REFRESH_CONCURRENCY: "1", REFRESH_RATE_PER_SECOND: "0" },
      });
      // 12:00 in Tashkent, outside the default quiet hours.
      app.clock.set("2026-03-10T07:00:00Z");
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await uzum?.stop();
    });

    async function scrape(): Promise<string> {
      const response = await app.request("GET", "/metrics");
      expect(response.status).toBe(200);
      return response.body as string;
    }

    test("reports pending discovery runs", async () => {
      const seller = await app.signUp();
      const before = readSample(await scrape(), "ventra_discovery_queue_depth");

      // The test app starts no discovery worker, so the run stays pending.
      const created = await app.request("POST", "/api/v1/discovery/runs", { token: seller.token, body: { input: "10091" } });
      expect(created.status).toBe(202);

      expect(readSample(await scrape(), "ventra_discovery_queue_depth")).toBe((before ?? 0) + 1);
    });

    test("counts delivered alerts", async () => {
      const chatId = ++nextChatId;
      const productId = ++nextProductId;
      prices.set(productId, 100_000);
      const seller = await app.linkedSeller(chatId);
      expect((await app.request("POST", `/api/v1/products/${productId}/track`, { token: seller.token })).status).toBe(201);
      const rule = await app.request("POST", "/api/v1/alerts/rules", { token: seller.token, body: { product_id: productId, type: "PRICE_DROP", threshold: 10 } });
      expect(rule.status).toBe(201);
      app.telegram.clear();

      prices.set(productId, 80_000);
      app.clock.advance(60_000);
      const run = await app.services.scheduler.trigger("refresh-tracked", { actorUserId: seller.userId, wait: true });
      expect(run.outcome).toBe("succeeded");
      await app.services.bot.delivery!.idle();

      expect(app.telegram.textsTo(chatId)).toHaveLength(1);
      expect(readSample(await scrape(), "ventra_alert_deliveries_total", { channel: "telegram", outcome: "delivered" })).toBe(1);
    });
  });
}
