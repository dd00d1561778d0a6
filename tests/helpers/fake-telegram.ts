import type { Server } from "bun";

/** One Bot API call as the fake received it. */
export interface BotApiCall {
  method: string;
  body: any;
}

/** A scripted error response for the next calls of one method, in Telegram's error shape. */
export interface ScriptedFailure {
  status: number;
  description: string;
  retryAfterSeconds?: number;
}

export const testBotToken = "123456:TEST-token-for-the-fake-bot-api";
export const testBotUsername = "ventra_test_bot";

/**
 * A fake Telegram Bot API on 127.0.0.1 that records every call (method and JSON body) and responds
 * as Telegram does: `{ ok: true, result }`, or `{ ok: false, error_code, description, parameters }`.
 */
export class FakeBotApi {
  readonly calls: BotApiCall[] = [];
  /** Chats whose user blocked the bot: sends to them get 403. */
  readonly blockedChats = new Set<number>();
  /** While true, getMe gets no response, as with an unreachable Telegram. */
  hangGetMe = false;
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private readonly hanging = new Set<() => void>();
  private nextMessageId = 1000;
  private readonly server: Server<undefined>;

  constructor() {
    this.server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (request) => this.handle(request) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** Makes the next `count` calls of `method` fail with `failure`. */
  failNext(method: string, failure: ScriptedFailure, count = 1): void {
    const queue = this.failures.get(method) ?? [];
    for (let i = 0; i < count; i++) queue.push(failure);
    this.failures.set(method, queue);
  }

  callsOf(method: string): BotApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Returns the texts and captions sent to a chat, in order, including calls the fake rejected. */
  textsTo(chatId: number): string[] {
    return this.calls
      .filter((call) => ["sendMessage", "sendPhoto", "editMessageText"].includes(call.method) && call.body.chat_id === chatId)
      .map((call) => call.body.text ?? call.body.caption);
  }

  clear(): void {
    this.calls.length = 0;
  }

  async stop(): Promise<void> {
    for (const release of this.hanging) release();
    await this.server.stop(true);
  }

  private async handle(request: Request): Promise<Response> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(request.url).pathname);
    if (!match || match[1] !== testBotToken) return answer(404, { ok: false, error_code: 404, description: "Not Found" });

    const method = match[2];
    const text = await request.text();
    const body = text ? JSON.parse(text) : {};
    this.calls.push({ method, body });

    // Telegram keeps getUpdates open for its timeout; a short pause keeps a polling loop from spinning.
    if (method === "getUpdates") await Bun.sleep(50);
    if (method === "getMe" && this.hangGetMe) {
      await new Promise<void>((resolve) => this.hanging.add(resolve));
      return answer(502, { ok: false, error_code: 502, description: "Bad Gateway" });
    }

    const failure = this.failures.get(method)?.shift();
    if (failure) return failed(failure);
    if (["sendMessage", "sendPhoto", "editMessageText"].includes(method) && this.blockedChats.has(body.chat_id)) {
      return failed({ status: 403, description: "Forbidden: bot was blocked by the user" });
    }
    return answer(200, { ok: true, result: this.result(method, body) });
  }

  private result(method: string, body: any): unknown {
    const now = Math.floor(Date.now() / 1000);
    switch (method) {
      case "getMe":
        return { id: 777000, is_bot: true, first_name: "VENTRA", username: testBotUsername, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };
      case "sendMessage":
      case "sendPhoto":
      case "editMessageText":
        return {
          message_id: body.message_id ?? this.nextMessageId++,
          from: { id: 777000, is_bot: true, first_name: "VENTRA", username: testBotUsername },
          chat: { id: body.chat_id, type: "private" },
          date: now,
          ...(body.text ? { text: body.text } : {}),
        };
      case "getUpdates":
        return [];
      default:
        return true;
    }
  }
}

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function failed(failure: ScriptedFailure): Response {
  return answer(failure.status, {
    ok: false,
    error_code: failure.status,
    description: failure.description,
    ...(failure.retryAfterSeconds === undefined ? {} : { parameters: { retry_after: failure.retryAfterSeconds } }),
  });
}

let updateId = 500_000;
let messageId = 1;

function user(chatId: number, languageCode: string) {
  return { id: chatId, is_bot: false, first_name: "Sotuvchi", username: `seller${chatId}`, language_code: languageCode };
}

/** Builds a private-chat text message as Telegram posts it, with the bot_command entity when it starts with `/`. */
export function messageUpdate(chatId: number, text: string, languageCode = "uz") {
  const command = /^\/\w+(@\w+)?/.exec(text);
  return {
    update_id: ++updateId,
    message: {
      message_id: ++messageId,
      from: user(chatId, languageCode),
      chat: { id: chatId, first_name: "Sotuvchi", username: `seller${chatId}`, type: "private" },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(command ? { entities: [{ offset: 0, length: command[0].length, type: "bot_command" }] } : {}),
    },
  };
}

/** Builds a press of an inline button under the bot's message `onMessageId`. */
export function callbackUpdate(chatId: number, data: string, onMessageId: number, languageCode = "uz") {
  return {
    update_id: ++updateId,
    callback_query: {
      id: String(++updateId * 10),
      from: user(chatId, languageCode),
      message: {
        message_id: onMessageId,
        from: { id: 777000, is_bot: true, first_name: "VENTRA", username: testBotUsername },
        chat: { id: chatId, first_name: "Sotuvchi", type: "private" },
        date: Math.floor(Date.now() / 1000),
        text: "…",
      },
      chat_instance: "-4263582917425",
      data,
    },
  };
}
