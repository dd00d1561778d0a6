import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { botChats, botLinkCodes } from "../../../src/db/schema";
import { uz } from "../../../src/modules/bot/texts/uz";
import { ru } from "../../../src/modules/bot/texts/ru";
import { createBotTestApp, webhookSecret, type BotTestApp } from "../../helpers/bot";
import { testDatabaseKinds } from "../../helpers/database";
import { messageUpdate, testBotUsername } from "../../helpers/fake-telegram";

for (const kind of testDatabaseKinds()) {
  describe(`bot linking on ${kind}`, () => {
    let app: BotTestApp;

    // One app for the suite: every test uses its own chats and sellers.
    beforeAll(async () => {
      app = await createBotTestApp({ kind });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    async function issueCode(token: string) {
      const issued = await app.request("POST", "/api/v1/bot/link-code", { token });
      expect(issued.status).toBe(201);
      return issued.body as { code: string; expires_at: string; deep_link: string };
    }

    test("webhook rejects a wrong or missing secret", async () => {
      const update = messageUpdate(11, "/help");
      const missing = await app.request("POST", "/telegram/webhook", { body: update });
      const wrong = await app.request("POST", "/telegram/webhook", { body: update, headers: { "x-telegram-bot-api-secret-token": "guess" } });
      const right = await app.request("POST", "/telegram/webhook", { body: update, headers: { "x-telegram-bot-api-secret-token": webhookSecret } });

      expect(missing.status).toBe(401);
      expect(missing.body.error.code).toBe("INVALID_WEBHOOK_SECRET");
      expect(wrong.status).toBe(401);
      expect(right.status).toBe(200);
      expect(app.telegram.textsTo(11)).toEqual([uz.help]);
    });

    test("code links the chat once", async () => {
      const seller = await app.signUp();
      const issued = await issueCode(seller.token);

      expect(issued.code).toMatch(/^[A-Z2-9]{10}$/);
      expect(issued.deep_link).toBe(`https://t.me/${testBotUsername}?start=${issued.code}`);
      expect(Date.parse(issued.expires_at) - app.clock.now().getTime()).toBe(10 * 60 * 1000);

      await app.send(21, `/start ${issued.code}`);
      const [chat] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, 21));
      expect(chat.accountId).toBe(seller.accountId);
      expect(chat.userId).toBe(seller.userId);
      expect(app.telegram.textsTo(21)[0]).toStartWith("Chat ");

      // The same code from another chat is used up.
      await app.send(22, `/link ${issued.code}`);
      expect(app.telegram.textsTo(22)).toEqual([uz.linkInvalid]);
      const [other] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, 22));
      expect(other.accountId).toBeNull();
    });

    test("code is stored only as a hash", async () => {
      const seller = await app.signUp();
      const issued = await issueCode(seller.token);

      const rows = await app.database.db.select().from(botLinkCodes).where(eq(botLinkCodes.userId, seller.userId));
      expect(rows).toHaveLength(1);
      expect(rows[0].codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.toContain(issued.code);
    });

    test("expired code is refused", async () => {
      const seller = await app.signUp();
      const issued = await issueCode(seller.token);
      app.clock.advance(10 * 60 * 1000 + 1);

      await app.send(31, `/link ${issued.code}`);

      expect(app.telegram.textsTo(31)).toEqual([uz.linkInvalid]);
      const [chat] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, 31));
      expect(chat.accountId).toBeNull();
    });

    test("day-old codes are deleted", async () => {
      const seller = await app.signUp();
      const used = await issueCode(seller.token);
      await app.send(36, `/link ${used.code}`);
      await issueCode(seller.token);
      const codesOf = async () => app.database.db.select().from(botLinkCodes).where(eq(botLinkCodes.userId, seller.userId));
      expect(await codesOf()).toHaveLength(2);

      // Expired for less than a day: kept.
      app.clock.advance(12 * 60 * 60 * 1000);
      await issueCode(seller.token);
      expect(await codesOf()).toHaveLength(3);

      // Over a day after the first two expired, the next code issued by anyone deletes them.
      app.clock.advance(12 * 60 * 60 * 1000 + 20 * 60 * 1000);
      await issueCode((await app.signUp()).token);
      const left = await codesOf();
      expect(left).toHaveLength(1);
      expect(left[0].expiresAt.getTime()).toBeGreaterThan(app.clock.now().getTime() - 24 * 60 * 60 * 1000);
      // The chat stays linked without its code.
      const [chat] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, 36));
      expect(chat.userId).toBe(seller.userId);
    });

    test("prefix of a live code is refused", async () => {
      const seller = await app.signUp();
      const issued = await issueCode(seller.token);

      await app.send(41, `/link ${issued.code.slice(0, 9)}`);

      expect(app.telegram.textsTo(41)).toEqual([uz.linkInvalid]);
    });

    test("guessing is limited per chat", async () => {
      const seller = await app.signUp();
      const issued = await issueCode(seller.token);

      for (let i = 0; i < 5; i++) await app.send(51, `/link GUESS${i}AAAAA`);
      // The right code does not help once the chat used up its guesses.
      await app.send(51, `/link ${issued.code}`);

      const texts = app.telegram.textsTo(51);
      expect(texts.slice(0, 5)).toEqual(Array(5).fill(uz.linkInvalid));
      expect(texts[5]).toBe(uz.linkRateLimited(15));
      const [chat] = await app.database.db.select().from(botChats).where(eq(botChats.chatId, 51));
      expect(chat.accountId).toBeNull();

      // Other chats are not affected, and the window passes.
      await app.send(52, `/link ${issued.code}`);
      expect(app.telegram.textsTo(52)[0]).toStartWith("Chat ");
      app.clock.advance(15 * 60 * 1000);
      const fresh = await issueCode(seller.token);
      await app.send(51, `/link ${fresh.code}`);
      expect(app.telegram.textsTo(51)[6]).toStartWith("Chat ");
    });

    test("unlink by command and by API", async () => {
      const seller = await app.linkedSeller(61);
      const issued = await issueCode(seller.token);
      await app.send(62, `/link ${issued.code}`);

      await app.send(61, "/unlink");
      expect(app.telegram.textsTo(61).at(-1)).toBe(uz.unlinked);

      const response = await app.request("DELETE", "/api/v1/bot/link", { token: seller.token });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ unlinked_chats: 1 });
      const rows = await app.database.db.select().from(botChats).where(eq(botChats.userId, seller.userId));
      expect(rows).toEqual([]);

      await app.send(62, "/list");
      expect(app.telegram.textsTo(62).at(-1)).toBe(`${uz.notLinked}\n${uz.howToLink}`);
    });

    test("link texts follow the chat language", async () => {
      await app.send(71, "/lang ru");
      await app.send(71, "/link WRONGCODE1");
      await app.send(71, "/start");

      expect(app.telegram.textsTo(71)).toEqual([ru.langSet, ru.linkInvalid, `${ru.welcome}\n\n${ru.howToLink}`]);
    });

    test("link code needs a signed-in user", async () => {
      const response = await app.request("POST", "/api/v1/bot/link-code");
      expect(response.status).toBe(401);
    });
  });
}
