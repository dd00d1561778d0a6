import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { Api } from "grammy";
import { createLogger } from "../../../src/lib/logger";
import { TelegramSender } from "../../../src/modules/bot/telegram";
import { FakeBotApi, testBotToken } from "../../helpers/fake-telegram";

describe("TelegramSender", () => {
  let telegram: FakeBotApi;
  let waits: number[];
  let blocked: number[];
  let sender: TelegramSender;

  beforeAll(() => {
    telegram = new FakeBotApi();
  });

  afterAll(async () => {
    await telegram.stop();
  });

  afterEach(() => {
    telegram.clear();
  });

  function newSender(options: { maxRetryAfterMs?: number } = {}) {
    waits = [];
    blocked = [];
    sender = new TelegramSender({
      api: new Api(testBotToken, { apiRoot: telegram.url }),
      logger: createLogger("silent"),
      sleep: async (ms) => {
        waits.push(ms);
      },
      onBlocked: async (chatId) => {
        blocked.push(chatId);
      },
      ...options,
    });
    return sender;
  }

  test("429 waits retry_after", async () => {
    telegram.failNext("sendMessage", { status: 429, description: "Too Many Requests: retry after 3", retryAfterSeconds: 3 });

    const outcome = await newSender().sendText(5, "salom");

    expect(outcome).toEqual({ status: "sent" });
    expect(waits).toEqual([3_000]);
    expect(telegram.callsOf("sendMessage")).toHaveLength(2);
  });

  test("long retry_after fails the send", async () => {
    telegram.failNext("sendMessage", { status: 429, description: "Too Many Requests: retry after 120", retryAfterSeconds: 120 });

    const outcome = await newSender({ maxRetryAfterMs: 60_000 }).sendText(5, "salom");

    expect(outcome).toEqual({ status: "failed", error: "429: Too Many Requests: retry after 120" });
    expect(waits).toEqual([]);
  });

  test("403 marks the chat blocked once", async () => {
    telegram.blockedChats.add(6);

    const outcome = await newSender().sendText(6, "salom");

    expect(outcome).toEqual({ status: "blocked" });
    expect(blocked).toEqual([6]);
    expect(telegram.callsOf("sendMessage")).toHaveLength(1);
    telegram.blockedChats.delete(6);
  });

  test("server errors back off then give up", async () => {
    telegram.failNext("sendMessage", { status: 502, description: "Bad Gateway" }, 4);

    const outcome = await newSender().sendText(7, "salom");

    expect(outcome).toEqual({ status: "failed", error: "502: Bad Gateway" });
    expect(waits).toEqual([1_000, 2_000, 4_000]);
    expect(telegram.callsOf("sendMessage")).toHaveLength(4);
  });

  test("bad request is not retried", async () => {
    telegram.failNext("sendMessage", { status: 400, description: "Bad Request: can't parse entities" });

    const outcome = await newSender().sendText(8, "<b>salom");

    expect(outcome).toEqual({ status: "failed", error: "400: Bad Request: can't parse entities" });
    expect(waits).toEqual([]);
    expect(telegram.callsOf("sendMessage")).toHaveLength(1);
  });

  test("long text goes in parts", async () => {
    const lines = Array.from({ length: 300 }, (_, index) => `${index}: ${"x".repeat(30)}`);

    await newSender().sendText(9, lines.join("\n"), { keyboard: { inline_keyboard: [[{ text: "»", callback_data: "list:2" }]] } });

    const calls = telegram.callsOf("sendMessage");
    expect(calls.length).toBe(3);
    expect(calls.map((call) => call.body.text).join("\n")).toBe(lines.join("\n"));
    expect(calls.every((call) => call.body.text.length <= 4096)).toBe(true);
    expect(calls.map((call) => call.body.reply_markup === undefined)).toEqual([true, true, false]);
    expect(calls[0].body.parse_mode).toBe("HTML");
  });

  test("network failure retries", async () => {
    const down = new TelegramSender({
      api: new Api(testBotToken, { apiRoot: "http://127.0.0.1:9" }),
      logger: createLogger("silent"),
      sleep: async (ms) => {
        waits.push(ms);
      },
      onBlocked: async () => {},
      maxAttempts: 2,
    });
    waits = [];

    const outcome = await down.sendText(10, "salom");

    expect(outcome.status).toBe("failed");
    expect(waits).toEqual([1_000]);
  });
});
