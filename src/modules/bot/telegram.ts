import { GrammyError, HttpError, type Api } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import type { Logger } from "../../lib/logger";
import { splitMessage } from "./html";

/** The outcome of a send: accepted, rejected for good because the user blocked the bot, or failed after every retry. */
export type SendOutcome = { status: "sent" } | { status: "blocked" } | { status: "failed"; error: string };

export interface TelegramSenderDeps {
  api: Api;
  logger: Logger;
  /** Waits between attempts; tests pass one that returns at once and records the wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Called once when Telegram returns 403 for a chat, so the chat can be marked inactive. */
  onBlocked: (chatId: number) => Promise<void>;
  /** Attempts per call, the first included. */
  maxAttempts?: number;
  /** First wait after a network error or a 5xx; it doubles on each further attempt. */
  backoffMs?: number;
  /** Longest `retry_after` honoured inside one send; a longer one fails the send so a later retry can take it. */
  maxRetryAfterMs?: number;
}

export interface SendOptions {
  keyboard?: InlineKeyboardMarkup;
  /** Delivers the message without a sound or vibration (Telegram's `disable_notification`). */
  silent?: boolean;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends messages through the Bot API with retries: a 429 waits the `retry_after` Telegram names,
 * a network error or 5xx backs off, a 403 (the user blocked the bot or left the chat) is final,
 * and any other 4xx is a bug in the message and is not retried.
 */
export class TelegramSender {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly deps: TelegramSenderDeps) {
    this.sleep = deps.sleep ?? realSleep;
    this.maxAttempts = deps.maxAttempts ?? 4;
    this.backoffMs = deps.backoffMs ?? 1_000;
    this.maxRetryAfterMs = deps.maxRetryAfterMs ?? 60_000;
  }

  /** Sends HTML text, split at line boundaries when it is longer than one message; the keyboard goes on the last part. */
  async sendText(chatId: number, html: string, options: SendOptions = {}): Promise<SendOutcome> {
    const parts = splitMessage(html);
    for (const [index, part] of parts.entries()) {
      const keyboard = index === parts.length - 1 ? options.keyboard : undefined;
      const outcome = await this.call(chatId, "sendMessage", () =>
        this.deps.api.sendMessage(chatId, part, {
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
          ...(keyboard ? { reply_markup: keyboard } : {}),
          ...(options.silent ? { disable_notification: true } : {}),
        }),
      );
      if (outcome.status !== "sent") return outcome;
    }
    return { status: "sent" };
  }

  /** Sends a photo with an HTML caption of at most 1,024 characters. */
  sendPhoto(chatId: number, photoUrl: string, captionHtml: string): Promise<SendOutcome> {
    return this.call(chatId, "sendPhoto", () => this.deps.api.sendPhoto(chatId, photoUrl, { caption: captionHtml, parse_mode: "HTML" }));
  }

  /** Replaces the text and keyboard of a message the bot sent, as the paging buttons do. */
  editText(chatId: number, messageId: number, html: string, options: SendOptions = {}): Promise<SendOutcome> {
    return this.call(chatId, "editMessageText", () =>
      this.deps.api.editMessageText(chatId, messageId, html, {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        ...(options.keyboard ? { reply_markup: options.keyboard } : {}),
      }),
    );
  }

  private async call(chatId: number, method: string, send: () => Promise<unknown>): Promise<SendOutcome> {
    let lastError = "";
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let waitMs: number;
      try {
        await send();
        return { status: "sent" };
      } catch (error) {
        if (error instanceof GrammyError && error.error_code === 403) {
          this.deps.logger.warn({ chatId, method, description: error.description }, "telegram.chat_blocked");
          await this.deps.onBlocked(chatId);
          return { status: "blocked" };
        }
        if (!isRetryable(error)) {
          this.deps.logger.error({ err: error, chatId, method }, "telegram.send_rejected");
          return { status: "failed", error: describe(error) };
        }

        lastError = describe(error);
        const retryAfterSeconds = error instanceof GrammyError ? error.parameters.retry_after : undefined;
        waitMs = retryAfterSeconds !== undefined ? retryAfterSeconds * 1_000 : this.backoffMs * 2 ** (attempt - 1);
        if (waitMs > this.maxRetryAfterMs) {
          this.deps.logger.warn({ chatId, method, waitMs }, "telegram.retry_after_too_long");
          return { status: "failed", error: lastError };
        }
        if (attempt < this.maxAttempts) this.deps.logger.warn({ chatId, method, attempt, waitMs, error: lastError }, "telegram.send_retry");
      }
      if (attempt < this.maxAttempts) await this.sleep(waitMs);
    }

    this.deps.logger.error({ chatId, method, attempts: this.maxAttempts, error: lastError }, "telegram.send_failed");
    return { status: "failed", error: lastError };
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof HttpError) return true;
  if (error instanceof GrammyError) return error.error_code === 429 || error.error_code >= 500;
  return false;
}

function describe(error: unknown): string {
  if (error instanceof GrammyError) return `${error.error_code}: ${error.description}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
