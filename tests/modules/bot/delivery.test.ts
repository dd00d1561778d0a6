import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { botChats, discoveryRuns, discoveryWinners } from "../../../src/db/schema";
import { alertLines } from "../../../src/modules/bot/format";
import { tashkentDate } from "../../../src/lib/time";
import { uz } from "../../../src/modules/bot/texts/uz";
import { createBotTestApp, type BotTestApp } from "../../helpers/bot";
import { testDatabaseKinds } from "../../helpers/database";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct } from "../../helpers/uzum-wire";

/** Price and stock the Uzum stub serves per product id. */
const market = new Map<number, { price: number; stock: number }>();

let nextChatId = 7_000;
let nextProductId = 8_000;

for (const kind of testDatabaseKinds()) {
  describe(`alert delivery on ${kind}`, () => {
    let uzum: StubServer;
    let app: BotTestApp;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        const offer = market.get(id);
        if (!offer) return json({}, 404);
        return json(wireProduct({ id, title: `Mahsulot <${id}> & Co`, skus: [{ id: id * 10, price: offer.price, stock: offer.stock }] }));
      });
      app = await createBotTestApp({
        kind,
        env: {
          UZUM_API_URL: uzum.url,
          UZUM_MAX_RETRIES: "0",
          WEEKLY_BUYERS_BUDGET_MS: "0",
          REFRESH_CONCURRENCY: "1",
          REFRESH_RATE_PER_SECOND: "0",
          // A scheduled tick runs once, so each refresh a minute later needs a schedule of every minute.
          JOB_REFRESH_TRACKED_SCHEDULE: "* * * * *",
        },
      });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await uzum?.stop();
    });

    beforeEach(() => {
      // 12:00 in Tashkent on the next day, outside the default quiet hours. The clock only moves
      // forward, because the refresh lease remembers the last scheduled tick it ran.
      const day = 24 * 60 * 60 * 1000;
      app.clock.set(new Date((Math.floor(app.clock.now().getTime() / day) + 1) * day + 7 * 60 * 60 * 1000));
    });

    /** A linked seller tracking a new product at `price` and `stock`, with one rule. */
    async function sellerWithRule(rule: Record<string, unknown>, offer = { price: 100_000, stock: 20 }) {
      const chatId = ++nextChatId;
      const productId = ++nextProductId;
      const seller = await app.linkedSeller(chatId);
      market.set(productId, offer);
      expect((await app.request("POST", `/api/v1/products/${productId}/track`, { token: seller.token })).status).toBe(201);
      const created = await app.request("POST", "/api/v1/alerts/rules", { token: seller.token, body: { product_id: productId, ...rule } });
      expect(created.status).toBe(201);
      app.telegram.clear();
      return { chatId, productId, seller };
    }

    /** Runs the scheduled refresh a minute later and waits for the alerts it fired to be sent. */
    async function refresh() {
      app.clock.advance(60_000);
      const run = await app.services.scheduler.tick("refresh-tracked");
      expect(run?.outcome).toBe("succeeded");
      await app.services.bot.delivery!.idle();
    }

    async function events(token: string) {
      const response = await app.request("GET", "/api/v1/alerts/events", { token });
      expect(response.status).toBe(200);
      return response.body.items as any[];
    }

    test("rule fires once until cleared", async () => {
      const { chatId, productId, seller } = await sellerWithRule({ type: "PRICE_DROP", threshold: 10 });

      await refresh();
      expect(app.telegram.textsTo(chatId)).toEqual([]);

      market.set(productId, { price: 85_000, stock: 20 });
      await refresh();
      const [message] = app.telegram.textsTo(chatId);
      expect(message).toStartWith(uz.alertTitle);
      expect(message).toContain(`Mahsulot &lt;${productId}&gt; &amp; Co`);
      expect(message).toContain(`${uz.rules.PRICE_DROP("10")}: 100 000 so'm → 85 000 so'm`);

      // Still low: no second alert. Back up: the condition clears. Down again: it fires again.
      await refresh();
      market.set(productId, { price: 100_000, stock: 20 });
      await refresh();
      expect(app.telegram.textsTo(chatId)).toHaveLength(1);
      market.set(productId, { price: 80_000, stock: 20 });
      await refresh();
      expect(app.telegram.textsTo(chatId)).toHaveLength(2);

      const stored = await events(seller.token);
      expect(stored).toHaveLength(2);
      expect(stored[1]).toMatchObject({ product_id: productId, type: "PRICE_DROP", threshold: 10, value_before: 100_000, value_after: 85_000 });
      expect(stored[1].snapshot_date).toBe(tashkentDate(app.clock.now()));
      expect(stored[1].delivery.status).toBe("DELIVERED");
      expect(stored[1].delivery.delivered_at).not.toBeNull();
      expect(stored[0]).toMatchObject({ value_before: 100_000, value_after: 80_000 });
    });

    test("an analysis on request fires the alert", async () => {
      const { chatId, productId, seller } = await sellerWithRule({ type: "OUT_OF_STOCK" });

      // The seller analyses the product by hand before the next scheduled refresh.
      market.set(productId, { price: 100_000, stock: 0 });
      expect((await app.request("POST", "/api/v1/uzum/analyze", { token: seller.token, body: { url: String(productId) } })).status).toBe(200);
      await app.services.bot.delivery!.idle();

      expect(app.telegram.textsTo(chatId)).toHaveLength(1);
      const [fired] = await events(seller.token);
      expect(fired).toMatchObject({ type: "OUT_OF_STOCK", value_before: 20, value_after: 0 });

      // The refresh after it finds no new change and sends nothing more.
      await refresh();
      expect(app.telegram.textsTo(chatId)).toHaveLength(1);
    });

    test("quiet hours hold alerts for a digest", async () => {
      const { chatId, productId, seller } = await sellerWithRule({ type: "OUT_OF_STOCK" });
      await app.request("POST", "/api/v1/alerts/rules", { token: seller.token, body: { product_id: productId, type: "PRICE_RISE", threshold: 5 } });
      // 23:00 in Tashkent, and 08:00 the next morning.
      const hour = 60 * 60 * 1000;
      const midnightUtc = Math.floor(app.clock.now().getTime() / (24 * hour)) * 24 * hour;
      const evening = midnightUtc + 18 * hour;
      const morning = midnightUtc + 27 * hour;
      app.clock.set(new Date(evening));

      market.set(productId, { price: 120_000, stock: 0 });
      await refresh();

      expect(app.telegram.textsTo(chatId)).toEqual([]);
      const held = await events(seller.token);
      expect(held.map((event) => event.type).sort()).toEqual(["OUT_OF_STOCK", "PRICE_RISE"]);
      for (const event of held) {
        expect(event.delivery.status).toBe("HELD");
        expect(event.delivery.held_until).toBe(new Date(morning).toISOString());
      }

      // Still quiet at 07:59; the digest goes at 08:00.
      app.clock.set(new Date(morning - 60_000));
      await app.services.bot.delivery!.deliverDue();
      expect(app.telegram.textsTo(chatId)).toEqual([]);
      app.clock.set(new Date(morning));
      await app.services.bot.delivery!.deliverDue();

      const [digest, ...rest] = app.telegram.textsTo(chatId);
      expect(rest).toEqual([]);
      expect(digest).toStartWith(uz.digestHeader(2));
      expect(digest).toContain(uz.rules.OUT_OF_STOCK());
      expect(digest).toContain(uz.rules.PRICE_RISE("5"));
      expect((await events(seller.token)).map((event) => event.delivery.status)).toEqual(["DELIVERED", "DELIVERED"]);
    });

    test("blocked chat is marked inactive", async () => {
      const { chatId, productId, seller } = await sellerWithRule({ type: "STOCK_LOW", threshold: 5 });
      const second = ++nextChatId;
      const code = await app.request("POST", "/api/v1/bot/link-code", { token: seller.token });
      await app.send(second, `/link ${code.body.code}`);
      app.telegram.blockedChats.add(chatId);
      app.telegram.clear();

      market.set(productId, { price: 100_000, stock: 3 });
      await refresh();

      // One 403, not retried; the other chat gets the alert.
      expect(app.telegram.callsOf("sendMessage").filter((call) => call.body.chat_id === chatId)).toHaveLength(1);
      expect(app.telegram.textsTo(second)).toHaveLength(1);
      const [chat] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, chatId));
      expect(chat.isActive).toBe(false);
      expect((await events(seller.token))[0].delivery.status).toBe("DELIVERED");

      // Later alerts skip the blocked chat until it writes again.
      await app.request("POST", "/api/v1/alerts/rules", { token: seller.token, body: { product_id: productId, type: "OUT_OF_STOCK" } });
      app.telegram.clear();
      market.set(productId, { price: 100_000, stock: 0 });
      await refresh();
      expect(app.telegram.callsOf("sendMessage").map((call) => call.body.chat_id)).toEqual([second]);

      app.telegram.blockedChats.delete(chatId);
      await app.send(chatId, "/help");
      const [back] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, chatId));
      expect(back.isActive).toBe(true);
    });

    test("failed delivery is retried later", async () => {
      const { chatId, productId, seller } = await sellerWithRule({ type: "BACK_IN_STOCK" }, { price: 50_000, stock: 0 });
      app.telegram.failNext("sendMessage", { status: 400, description: "Bad Request: message is too long" });

      market.set(productId, { price: 50_000, stock: 9 });
      await refresh();
      const [pending] = await events(seller.token);
      expect(pending.delivery).toMatchObject({ status: "PENDING", attempts: 1, last_error: "400: Bad Request: message is too long" });

      // The fake records the rejected call too; nothing more is sent before the retry is due.
      expect(app.telegram.textsTo(chatId)).toHaveLength(1);
      await app.services.bot.delivery!.deliverDue();
      expect(app.telegram.textsTo(chatId)).toHaveLength(1);
      app.clock.advance(60_000);
      await app.services.bot.delivery!.deliverDue();

      expect(app.telegram.textsTo(chatId)).toHaveLength(2);
      expect((await events(seller.token))[0].delivery).toMatchObject({ status: "DELIVERED", attempts: 2 });
    });

    test("alert without a linked chat is not sent", async () => {
      const { chatId, productId, seller } = await sellerWithRule({ type: "OUT_OF_STOCK" });
      await app.send(chatId, "/unlink");
      app.telegram.clear();

      market.set(productId, { price: 100_000, stock: 0 });
      await refresh();

      expect(app.telegram.callsOf("sendMessage")).toEqual([]);
      expect((await events(seller.token))[0].delivery.status).toBe("NO_CHAT");
    });

    test("discovery end notifies the chats", async () => {
      const chatId = ++nextChatId;
      const seller = await app.linkedSeller(chatId);
      const productId = ++nextProductId;
      market.set(productId, { price: 30_000, stock: 4 });
      await app.request("POST", "/api/v1/uzum/analyze", { token: seller.token, body: { url: String(productId) } });
      const [run] = await app.database.db
        .insert(discoveryRuns)
        .values({ accountId: seller.accountId, categoryId: 777, pagePath: "/uz/category/x--777", locale: "uz", status: "FINISHED", categoryName: "Uy <&> ro'zg'or" })
        .returning();
      await app.database.db.insert(discoveryWinners).values(
        Array.from({ length: 6 }, (_, index) => ({ runId: run.id, rank: index + 1, productId, title: `G'olib ${index + 1}`, score: 5, weeklyBuyers: 10, sellPriceSom: 30_000 })),
      );
      app.telegram.clear();

      const ended = { runId: run.id, accountId: seller.accountId, categoryId: 777, categoryName: "Uy <&> ro'zg'or" };
      await app.services.refreshEvents.emitDiscoveryRunEnded({ ...ended, status: "FINISHED", error: null, errorCode: null });
      // A failure without a code, as from before codes existed, shows the stored text.
      await app.services.refreshEvents.emitDiscoveryRunEnded({ ...ended, status: "FAILED", error: "Uzum returned <500>", errorCode: null });
      await app.services.refreshEvents.emitDiscoveryRunEnded({ ...ended, status: "FAILED", error: "Uzum listed no products in category 777 (total 0)", errorCode: "CATEGORY_EMPTY" });
      await app.services.bot.delivery!.idle();

      const [finished, failed, empty] = app.telegram.textsTo(chatId);
      expect(finished).toStartWith(uz.discoveryFinished("Uy &lt;&amp;&gt; ro'zg'or"));
      expect(finished).toContain("5. <b>G'olib 5</b>");
      expect(finished).not.toContain("G'olib 6");
      expect(failed).toBe(uz.discoveryFailed("Uy &lt;&amp;&gt; ro'zg'or", "Uzum returned &lt;500&gt;"));
      expect(empty).toBe(uz.discoveryFailed("Uy &lt;&amp;&gt; ro'zg'or", uz.discoveryErrors.CATEGORY_EMPTY));
      // At noon in Tashkent the notices ring as usual.
      expect(app.telegram.callsOf("sendMessage").map((call) => call.body.disable_notification)).toEqual([undefined, undefined, undefined]);
    });

    test("quiet-hours discovery notice is silent", async () => {
      const chatId = ++nextChatId;
      const seller = await app.linkedSeller(chatId);
      const [run] = await app.database.db
        .insert(discoveryRuns)
        .values({ accountId: seller.accountId, categoryId: 778, pagePath: "/uz/category/x--778", locale: "uz", status: "FAILED", categoryName: "Kiyim" })
        .returning();
      app.telegram.clear();
      // 23:30 in Tashkent, inside the default quiet hours of 22:00 to 08:00.
      app.clock.advance(11.5 * 60 * 60 * 1000);

      await app.services.refreshEvents.emitDiscoveryRunEnded({ runId: run.id, accountId: seller.accountId, categoryId: 778, categoryName: "Kiyim", status: "FAILED", error: "Uzum returned 500", errorCode: "LISTING_FAILED" });
      await app.services.bot.delivery!.idle();

      const sent = app.telegram.callsOf("sendMessage");
      expect(sent.map((call) => call.body.chat_id)).toEqual([chatId]);
      expect(sent[0].body.disable_notification).toBe(true);
    });

    test("alert text escapes the title", () => {
      const text = alertLines(
        { productId: 1, type: "SCORE_SPIKE", threshold: 50, valueBefore: 2, valueAfter: 3.5 } as Parameters<typeof alertLines>[0],
        "A <b> & C",
        uz,
      );
      expect(text).toBe(`<b>A &lt;b&gt; &amp; C</b> (1)\n${uz.rules.SCORE_SPIKE("50")}: 2.00 → 3.50`);
    });
  });
}
