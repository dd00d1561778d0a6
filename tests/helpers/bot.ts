import { expect } from "bun:test";
import type { FakeClock } from "../../src/lib/time";
import { createTestApp, type TestApp, type TestResponse } from "./app";
import type { DatabaseKind } from "./database";
import { callbackUpdate, FakeBotApi, messageUpdate, testBotToken } from "./fake-telegram";

export const webhookSecret = "test-webhook-secret_2026";

export interface BotTestApp extends TestApp {
  telegram: FakeBotApi;
  /** Posts a text message from the chat to the webhook, as Telegram would. */
  send(chatId: number, text: string, languageCode?: string): Promise<TestResponse>;
  /** Posts an inline button press under the bot's message. */
  press(chatId: number, data: string, messageId: number): Promise<TestResponse>;
  /** Signs up a seller and links the chat to them with a fresh code. */
  linkedSeller(chatId: number): Promise<Awaited<ReturnType<TestApp["signUp"]>>>;
}

/** The application with the bot in webhook mode against a fake Bot API, started and ready. */
export async function createBotTestApp(options: { kind: DatabaseKind; clock?: FakeClock; env?: Record<string, string> }): Promise<BotTestApp> {
  const telegram = new FakeBotApi();
  const app = await createTestApp({
    kind: options.kind,
    clock: options.clock,
    env: {
      TELEGRAM_BOT_TOKEN: testBotToken,
      TELEGRAM_API_URL: telegram.url,
      TELEGRAM_WEBHOOK_URL: "https://ventra.example/telegram/webhook",
      TELEGRAM_WEBHOOK_SECRET: webhookSecret,
      ...options.env,
    },
  });
  await app.services.bot.start();
  expect(app.services.bot.status().state).toBe("ready");
  telegram.clear();

  const post = (update: unknown) =>
    app.request("POST", "/telegram/webhook", { body: update, headers: { "x-telegram-bot-api-secret-token": webhookSecret } });

  return {
    ...app,
    telegram,
    send: (chatId, text, languageCode) => post(messageUpdate(chatId, text, languageCode)),
    press: (chatId, data, messageId) => post(callbackUpdate(chatId, data, messageId)),
    async linkedSeller(chatId) {
      const seller = await app.signUp();
      const issued = await app.request("POST", "/api/v1/bot/link-code", { token: seller.token });
      expect(issued.status).toBe(201);
      await post(messageUpdate(chatId, `/link ${issued.body.code}`));
      return seller;
    },
    async close() {
      await app.services.bot.stop();
      await app.close();
      await telegram.stop();
    },
  };
}
