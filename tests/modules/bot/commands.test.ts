import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { alertRules, botChats, discoveryRuns, discoveryWinners } from "../../../src/db/schema";
import { maxMessageLength } from "../../../src/modules/bot/html";
import { ru } from "../../../src/modules/bot/texts/ru";
import { uz, type Texts } from "../../../src/modules/bot/texts/uz";
import { createBotTestApp, type BotTestApp } from "../../helpers/bot";
import { testDatabaseKinds } from "../../helpers/database";
import { json, startStub, type StubServer } from "../../helpers/stub-server";
import { wireProduct, type WireProductInput } from "../../helpers/uzum-wire";

/** Products the Uzum stub serves, by id; a missing id is 404. */
const catalogue = new Map<number, WireProductInput>();

const languages: Array<{ locale: "uz" | "ru"; texts: Texts }> = [
  { locale: "uz", texts: uz },
  { locale: "ru", texts: ru },
];

let nextChatId = 9_000;

for (const kind of testDatabaseKinds()) {
  describe(`bot commands on ${kind}`, () => {
    let uzum: StubServer;
    let app: BotTestApp;

    beforeAll(async () => {
      uzum = startStub((request) => {
        const id = Number(/^\/api\/v2\/product\/(\d+)$/.exec(request.path)?.[1]);
        const product = catalogue.get(id);
        return product ? json(wireProduct(product)) : json({}, 404);
      });
      app = await createBotTestApp({ kind, env: { UZUM_API_URL: uzum.url, WEEKLY_BUYERS_BUDGET_MS: "0", UZUM_MAX_RETRIES: "0", RATE_LIMIT_ANALYZE_PER_MINUTE: "2" } });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
      await uzum?.stop();
    });

    /** Creates a chat linked to a new seller, speaking `locale`. */
    async function linkedChat(locale: "uz" | "ru") {
      const chatId = ++nextChatId;
      const seller = await app.linkedSeller(chatId);
      if (locale === "ru") await app.send(chatId, "/lang ru");
      app.telegram.clear();
      return { chatId, seller };
    }

    for (const { locale, texts } of languages) {
      test(`help and lang in ${locale}`, async () => {
        const chatId = ++nextChatId;
        if (locale === "ru") await app.send(chatId, "/lang ru");
        app.telegram.clear();

        await app.send(chatId, "/help");
        await app.send(chatId, "/lang de");
        await app.send(chatId, "hello");

        expect(app.telegram.textsTo(chatId)).toEqual([texts.help, texts.langUsage, `${texts.help}\n\n${texts.howToLink}`]);
        const [chat] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, chatId));
        expect(chat.locale).toBe(locale);
      });

      test(`unlinked chat gets how to link in ${locale}`, async () => {
        const chatId = ++nextChatId;
        if (locale === "ru") await app.send(chatId, "/lang ru");
        app.telegram.clear();

        for (const command of ["/analyze 1", "/track 1", "/untrack 1", "/list", "/top", "/alerts"]) await app.send(chatId, command);

        expect(app.telegram.textsTo(chatId)).toEqual(Array(6).fill(`${texts.notLinked}\n${texts.howToLink}`));
      });

      test(`analyze sends the score card in ${locale}`, async () => {
        const { chatId } = await linkedChat(locale);
        catalogue.set(4101, { id: 4101, title: "Krem <SPF 50> & niqob", skus: [{ id: 41010, price: 129_000, stock: 37 }], shopTitle: "Go'zallik & Co" });

        await app.send(chatId, "/analyze https://uzum.uz/uz/product/krem-4101?skuId=5");

        const [photo] = app.telegram.callsOf("sendPhoto");
        expect(photo.body.chat_id).toBe(chatId);
        expect(photo.body.photo).toBe("https://images.uzum.uz/photo4101a/original.jpg");
        expect(photo.body.parse_mode).toBe("HTML");
        const caption: string = photo.body.caption;
        const title = locale === "uz" ? "Krem &lt;SPF 50&gt; &amp; niqob" : "Товар 4101";
        expect(caption).toStartWith(`<b>${title}</b>\n`);
        expect(caption).toContain(`${texts.card.price}: 129 000 ${texts.card.som}`);
        expect(caption).toContain(`${texts.card.stock}: 37 ${texts.card.units}`);
        expect(caption).toContain(`${texts.card.weeklyBuyers}: `);
        expect(caption).toContain(`${texts.card.score}: `);
        expect(caption).toContain(`${texts.card.shop}: Go'zallik &amp; Co`);
        expect(caption).toContain(`${texts.card.orders}: 100\n`);
        expect(caption).toContain(`${texts.card.rating}: 4.5 (${texts.card.reviews("10")})`);
        expect(caption).not.toContain("<SPF");
      });

      test(`analyze falls back to text without the photo in ${locale}`, async () => {
        const { chatId } = await linkedChat(locale);
        catalogue.set(4102, { id: 4102, title: "Soyabon", skus: [{ id: 41020, price: 99_000, fullPrice: 132_000, stock: 5 }], shopTitle: "Yomg'ir" });
        app.telegram.failNext("sendPhoto", { status: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" });

        await app.send(chatId, "/analyze 4102");

        expect(app.telegram.callsOf("sendPhoto")).toHaveLength(1);
        const [card] = app.telegram.textsTo(chatId).slice(-1);
        expect(card).toContain(`${texts.card.price}: 99 000 ${texts.card.som} (−25%, ${texts.card.wasPrice(`132 000 ${texts.card.som}`)})`);
        expect(app.telegram.callsOf("sendMessage").filter((call) => call.body.chat_id === chatId)).toHaveLength(1);
      });

      test(`analyze explains bad input in ${locale}`, async () => {
        const { chatId } = await linkedChat(locale);

        await app.send(chatId, "/analyze");
        await app.send(chatId, "/analyze https://example.com/product/1");
        await app.send(chatId, "/analyze 4199");

        expect(app.telegram.textsTo(chatId)).toEqual([texts.productUsage("analyze"), texts.invalidProduct, texts.productNotFound]);
      });

      test(`track and untrack in ${locale}`, async () => {
        const { chatId } = await linkedChat(locale);
        catalogue.set(4201, { id: 4201, title: "Choynak" });

        await app.send(chatId, "/track 4201");
        await app.send(chatId, "/track 4201");
        await app.send(chatId, "/untrack 4201");
        await app.send(chatId, "/untrack 4201");

        const title = locale === "uz" ? "Choynak" : "Товар 4201";
        expect(app.telegram.textsTo(chatId)).toEqual([texts.tracked(title), texts.alreadyTracked(title), texts.untracked, texts.notTracked]);
      });

      test(`list pages with buttons in ${locale}`, async () => {
        const { chatId, seller } = await linkedChat(locale);
        const base = locale === "uz" ? 4300 : 4400;
        for (let i = 1; i <= 12; i++) {
          catalogue.set(base + i, { id: base + i, title: `Mahsulot ${i}` });
          app.clock.advance(1_000);
          const tracked = await app.request("POST", `/api/v1/products/${base + i}/track`, { token: seller.token });
          expect(tracked.status).toBe(201);
        }

        await app.send(chatId, "/list");
        const [first] = app.telegram.callsOf("sendMessage");
        expect(first.body.text).toStartWith(texts.listHeader(1, 2, 12));
        expect(first.body.reply_markup.inline_keyboard).toEqual([[{ text: texts.next, callback_data: "list:2" }]]);

        await app.press(chatId, "list:2", 1234);
        const [edit] = app.telegram.callsOf("editMessageText");
        expect(edit.body.message_id).toBe(1234);
        expect(edit.body.text).toStartWith(texts.listHeader(2, 2, 12));
        expect(edit.body.text).toContain("11. <b>");
        expect(edit.body.reply_markup.inline_keyboard).toEqual([[{ text: texts.previous, callback_data: "list:1" }]]);
        expect(app.telegram.callsOf("answerCallbackQuery")).toHaveLength(1);
      });

      test(`top shows the latest winners in ${locale}`, async () => {
        const { chatId, seller } = await linkedChat(locale);
        await app.send(chatId, "/top");
        expect(app.telegram.textsTo(chatId)).toEqual([texts.topEmpty]);

        catalogue.set(4501, { id: 4501, title: "Tish pastasi" });
        await app.request("POST", "/api/v1/uzum/analyze", { token: seller.token, body: { url: "4501" } });
        const [run] = await app.database.db
          .insert(discoveryRuns)
          .values({ accountId: seller.accountId, categoryId: 10091, pagePath: "/uz/category/makiyaj--10091", locale: "uz", status: "FINISHED", categoryName: "Makiyaj & <parvarish>", finishedAt: app.clock.now() })
          .returning();
        await app.database.db.insert(discoveryWinners).values(
          Array.from({ length: 7 }, (_, index) => ({ runId: run.id, rank: index + 1, productId: 4501, title: `Tish pastasi ${index + 1}`, score: 7 - index, weeklyBuyers: 100 - index, sellPriceSom: 25_000 })),
        );
        app.telegram.clear();

        await app.send(chatId, "/top https://uzum.uz/uz/category/makiyaj--10091");
        await app.send(chatId, "/top 55555");
        await app.send(chatId, "/top https://uzum.uz/uz/product/x-1");

        const [top, other, invalid] = app.telegram.textsTo(chatId);
        expect(top).toStartWith(texts.topHeader("Makiyaj &amp; &lt;parvarish&gt;"));
        // A Russian chat gets the product's Russian title from Uzum instead of the one stored with the run.
        expect(top).toContain(locale === "uz" ? "5. <b>Tish pastasi 5</b> (4501)" : "5. <b>Товар 4501</b> (4501)");
        expect(top).not.toContain("6. <b>");
        expect(other).toBe(texts.topEmpty);
        expect(invalid).toBe(texts.invalidCategory);
      });

      test(`alerts lists rules with switches in ${locale}`, async () => {
        const { chatId, seller } = await linkedChat(locale);
        await app.send(chatId, "/alerts");
        expect(app.telegram.textsTo(chatId)).toEqual([texts.alertsEmpty]);

        const created = await app.request("POST", "/api/v1/alerts/rules", { token: seller.token, body: { type: "PRICE_DROP", threshold: 10 } });
        expect(created.status).toBe(201);
        app.telegram.clear();

        await app.send(chatId, "/alerts");
        const [list] = app.telegram.callsOf("sendMessage");
        expect(list.body.text).toBe(`${texts.alertsHeader}\n1. ${texts.rules.PRICE_DROP("10")} (${texts.allProducts}): ${texts.ruleOn}`);
        expect(list.body.reply_markup.inline_keyboard).toEqual([[{ text: texts.switchOff(1), callback_data: `rule:${created.body.id}:off` }]]);

        await app.press(chatId, `rule:${created.body.id}:off`, 77);
        const [rule] = await app.database.db.select().from(alertRules).where(eq(alertRules.id, created.body.id));
        expect(rule.isEnabled).toBe(false);
        const [edit] = app.telegram.callsOf("editMessageText");
        expect(edit.body.text).toEndWith(texts.ruleOff);
        expect(edit.body.reply_markup.inline_keyboard).toEqual([[{ text: texts.switchOn(1), callback_data: `rule:${created.body.id}:on` }]]);
      });
    }

    test("analyze counts against the user's limit", async () => {
      const { chatId } = await linkedChat("uz");
      catalogue.set(4701, { id: 4701 });

      // RATE_LIMIT_ANALYZE_PER_MINUTE is 2 in this suite.
      for (let i = 0; i < 3; i++) await app.send(chatId, "/analyze 4701");

      expect(app.telegram.callsOf("sendPhoto")).toHaveLength(2);
      expect(app.telegram.textsTo(chatId).at(-1)).toBe(uz.rateLimited(60));
      app.clock.advance(60_000);
    });

    test("a pasted product link is analysed", async () => {
      const { chatId } = await linkedChat("uz");
      catalogue.set(4702, { id: 4702, title: "Choynak", skus: [{ id: 47020, price: 210_000, stock: 9 }] });
      app.clock.advance(60_000);

      await app.send(chatId, "https://uzum.uz/uz/product/choynak-4702?skuId=47020");
      await app.send(chatId, "salom");

      const [photo] = app.telegram.callsOf("sendPhoto");
      expect(photo.body.caption).toContain(`${uz.card.price}: 210 000 ${uz.card.som}`);
      // Other text still gets the command list.
      expect(app.telegram.textsTo(chatId).at(-1)).toBe(uz.help);
    });

    test("two rows of switches for three rules", async () => {
      const { chatId, seller } = await linkedChat("uz");
      for (const type of ["OUT_OF_STOCK", "BACK_IN_STOCK", "PRICE_RISE"]) {
        const body = type === "PRICE_RISE" ? { type, threshold: 5 } : { type };
        expect((await app.request("POST", "/api/v1/alerts/rules", { token: seller.token, body })).status).toBe(201);
      }
      app.telegram.clear();

      await app.send(chatId, "/alerts");

      const [list] = app.telegram.callsOf("sendMessage");
      expect(list.body.reply_markup.inline_keyboard.map((row: unknown[]) => row.length)).toEqual([2, 1]);
    });

    test("every button press is answered", async () => {
      const unlinked = 8_801;
      app.telegram.clear();
      await app.press(unlinked, "rule:00000000-0000-4000-8000-000000000000:off", 79);
      await app.press(unlinked, "rule:garbage:on", 80);

      expect(app.telegram.callsOf("answerCallbackQuery")).toHaveLength(2);
    });

    test("another account's rule cannot be switched", async () => {
      const owner = await linkedChat("uz");
      const created = await app.request("POST", "/api/v1/alerts/rules", { token: owner.seller.token, body: { type: "OUT_OF_STOCK" } });
      const intruder = await linkedChat("uz");

      await app.press(intruder.chatId, `rule:${created.body.id}:off`, 78);

      const [rule] = await app.database.db.select().from(alertRules).where(eq(alertRules.id, created.body.id));
      expect(rule.isEnabled).toBe(true);
      expect(app.telegram.callsOf("answerCallbackQuery")[0].body.text).toBe(uz.ruleNotFound);
    });

    test("long list splits at line boundaries", async () => {
      const { chatId, seller } = await linkedChat("uz");
      for (let i = 1; i <= 10; i++) {
        const id = 4600 + i;
        catalogue.set(id, { id, title: `${"Juda uzun nomli mahsulot <A&B> ".repeat(12)}${i}` });
        app.clock.advance(1_000);
        await app.request("POST", `/api/v1/products/${id}/track`, { token: seller.token });
      }

      await app.send(chatId, "/list");

      const parts = app.telegram.callsOf("sendMessage").map((call) => call.body.text as string);
      expect(parts.length).toBeGreaterThan(1);
      for (const part of parts) expect(part.length).toBeLessThanOrEqual(maxMessageLength);
      // Each part ends at a line boundary: the product lines stay whole.
      const joined = parts.join("\n");
      expect(joined.split("\n")).toHaveLength(1 + 10 * 2);
      expect(joined).not.toContain("<A&B>");
      expect(joined).toContain("&lt;A&amp;B&gt;");
    });
  });
}
