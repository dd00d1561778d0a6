import { afterEach, describe, expect, test } from "bun:test";
import { ConfigError, loadConfig } from "../../../src/config";
import { createLogger } from "../../../src/lib/logger";
import { BotService } from "../../../src/modules/bot/service";
import { createTestApp, type TestApp } from "../../helpers/app";
import { testDatabaseKinds } from "../../helpers/database";
import { FakeBotApi, testBotToken, testBotUsername } from "../../helpers/fake-telegram";

const webhookEnv = (telegram: FakeBotApi) => ({
  TELEGRAM_BOT_TOKEN: testBotToken,
  TELEGRAM_API_URL: telegram.url,
  TELEGRAM_WEBHOOK_URL: "https://ventra.example/telegram/webhook",
  TELEGRAM_WEBHOOK_SECRET: "start-up-secret",
  TELEGRAM_INIT_TIMEOUT_MS: "200",
  // Long enough that no background retry runs during a test; the tests retry by hand.
  TELEGRAM_INIT_RETRY_MS: "600000",
});

describe("bot configuration", () => {
  test("webhook without a secret is refused", () => {
    const env = { JWT_SECRET: "x".repeat(32), TELEGRAM_BOT_TOKEN: testBotToken, TELEGRAM_WEBHOOK_URL: "https://ventra.example/telegram/webhook" };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
  });

  test("API URL defaults to Telegram", () => {
    const config = loadConfig({ JWT_SECRET: "x".repeat(32) });
    expect(config.bot.apiUrl).toBe("https://api.telegram.org");
    expect(config.bot.token).toBeUndefined();
  });
});

for (const kind of testDatabaseKinds()) {
  describe(`bot start-up on ${kind}`, () => {
    let telegram: FakeBotApi;
    let app: TestApp;
    const extraBots: BotService[] = [];

    afterEach(async () => {
      for (const bot of extraBots.splice(0)) await bot.stop();
      await app.services.bot.stop();
      await app.close();
      await telegram.stop();
    }, 30_000);

    test("API serves while Telegram is down", async () => {
      telegram = new FakeBotApi();
      telegram.hangGetMe = true;
      app = await createTestApp({ kind, env: webhookEnv(telegram) });

      const firstAttempt = app.services.bot.start();
      const health = await app.request("GET", "/health");
      const starting = await app.request("GET", "/ready");
      const early = await app.request("POST", "/telegram/webhook", {
        body: { update_id: 1 },
        headers: { "x-telegram-bot-api-secret-token": "start-up-secret" },
      });

      expect(health.status).toBe(200);
      expect(starting.status).toBe(200);
      expect(starting.body.bot).toEqual({ state: "starting", mode: "webhook", polling: false, username: null, last_error: null });
      expect(early.status).toBe(503);
      expect(early.body.error.code).toBe("BOT_NOT_READY");

      await firstAttempt;
      const unreachable = await app.request("GET", "/ready");
      expect(unreachable.status).toBe(200);
      expect(unreachable.body.status).toBe("ready");
      expect(unreachable.body.bot.state).toBe("unreachable");
      expect(unreachable.body.bot.last_error).not.toBeNull();

      telegram.hangGetMe = false;
      expect(await app.services.bot.initialise()).toBe(true);
      const ready = await app.request("GET", "/ready");
      expect(ready.body.bot).toEqual({ state: "ready", mode: "webhook", polling: false, username: testBotUsername, last_error: null });
    }, 30_000);

    test("start-up registers commands and webhook", async () => {
      telegram = new FakeBotApi();
      app = await createTestApp({ kind, env: webhookEnv(telegram) });

      await app.services.bot.start();

      const commands = telegram.callsOf("setMyCommands");
      expect(commands.map((call) => call.body.language_code)).toEqual([undefined, "uz", "ru"]);
      expect(commands[1].body.commands.map((command: { command: string }) => command.command)).toEqual([
        "start", "help", "analyze", "track", "untrack", "list", "top", "alerts", "link", "unlink", "lang",
      ]);
      expect(commands[1].body.commands[0].description).not.toBe(commands[2].body.commands[0].description);
      const [webhook] = telegram.callsOf("setWebhook");
      expect(webhook.body).toEqual({
        url: "https://ventra.example/telegram/webhook",
        secret_token: "start-up-secret",
        allowed_updates: ["message", "callback_query"],
      });
    }, 30_000);

    test("bot without a token is disabled", async () => {
      telegram = new FakeBotApi();
      app = await createTestApp({ kind });

      await app.services.bot.start();
      const ready = await app.request("GET", "/ready");
      const seller = await app.signUp();
      const code = await app.request("POST", "/api/v1/bot/link-code", { token: seller.token });
      const webhook = await app.request("POST", "/telegram/webhook", { body: { update_id: 1 } });

      expect(ready.body.bot.state).toBe("disabled");
      expect(code.status).toBe(503);
      expect(code.body.error.code).toBe("BOT_DISABLED");
      expect(webhook.status).toBe(404);
      expect(telegram.calls).toEqual([]);
    }, 30_000);

    test("only the lock holder polls", async () => {
      telegram = new FakeBotApi();
      const pollingEnv = { TELEGRAM_BOT_TOKEN: testBotToken, TELEGRAM_API_URL: telegram.url, TELEGRAM_INIT_RETRY_MS: "600000" };
      app = await createTestApp({ kind, env: { ...pollingEnv, JOB_INSTANCE_ID: "first" } });
      const config = loadConfig({ ...pollingEnv, JWT_SECRET: "x".repeat(32), JOB_INSTANCE_ID: "second" });
      const second = new BotService({
        ...app.services,
        config: config.bot,
        db: app.database.db,
        clock: app.clock,
        logger: createLogger("silent"),
        evaluator: app.services.alertEvaluator,
        instanceId: "second",
      });
      extraBots.push(second);

      await app.services.bot.start();
      await second.start();

      expect(app.services.bot.status()).toMatchObject({ state: "ready", mode: "polling", polling: true });
      expect(second.status()).toMatchObject({ state: "ready", mode: "polling", polling: false });
      expect(telegram.callsOf("setWebhook")).toEqual([]);

      // The holder stops and gives the lock back; the other instance takes it on its next check.
      await app.services.bot.stop();
      await second.checkPollingLease();
      expect(second.status().polling).toBe(true);
    }, 30_000);
  });
}
