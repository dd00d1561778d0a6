import { and, eq, gt, isNull, lt } from "drizzle-orm";
import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../../db/client";
import { accounts, botLinkCodes, users } from "../../db/schema";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { ChatRepository, ChatRow } from "./chats";

/** 32 letters and digits without 0, O, 1 and I, which people misread; each character carries 5 bits. */
const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** 10 characters give 50 random bits: guessing one live code at 5 tries per chat in 15 minutes is hopeless. */
export const linkCodeLength = 10;
export const linkCodeTtlMs = 10 * 60 * 1000;
/** Age past expiry at which a code, used or not, is deleted when a new code is issued. A link lives on the chat row, not on its code. */
export const linkCodeRetentionMs = 24 * 60 * 60 * 1000;
/** Wrong codes a chat may send within `guessWindowMs` before it has to wait for the window to pass. */
export const maxGuesses = 5;
export const guessWindowMs = 15 * 60 * 1000;

export type RedeemResult =
  | { status: "linked"; accountId: string; userId: string; email: string }
  | { status: "invalid" }
  | { status: "rate_limited"; retryAfterMinutes: number };

/**
 * One-time codes that link a Telegram chat to a user. Only the SHA-256 hash is stored and a code is
 * found by that exact hash, so neither a database reader nor a prefix lookup recovers a live code.
 */
export class LinkCodeService {
  constructor(private readonly deps: { db: Database; clock: Clock; logger: Logger; chats: ChatRepository }) {}

  /**
   * Issues a code valid for 10 minutes; earlier unused codes of the user stay valid until they expire.
   * Codes of every user that expired over a day ago are deleted on the way.
   */
  async create(accountId: string, userId: string): Promise<{ code: string; expiresAt: Date }> {
    const code = randomCode();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + linkCodeTtlMs);
    await this.deps.db.delete(botLinkCodes).where(lt(botLinkCodes.expiresAt, new Date(now.getTime() - linkCodeRetentionMs)));
    await this.deps.db.insert(botLinkCodes).values({ codeHash: hashCode(code), accountId, userId, expiresAt, createdAt: now });
    this.deps.logger.info({ accountId, userId, expiresAt }, "bot.link_code_created");
    return { code, expiresAt };
  }

  /**
   * Links the chat when the code is live and unused, using it up in the same statement. A wrong,
   * expired or used code returns the same "invalid", and counts against the chat's guesses.
   */
  async redeem(chat: ChatRow, input: string): Promise<RedeemResult> {
    const now = this.deps.clock.now();
    const blocked = this.blockedFor(chat, now);
    if (blocked > 0) return { status: "rate_limited", retryAfterMinutes: Math.ceil(blocked / 60_000) };

    const code = input.trim().toUpperCase();
    const [used] = /^[A-Z0-9]{1,64}$/.test(code)
      ? await this.deps.db
          .update(botLinkCodes)
          .set({ usedAt: now, usedByChatId: chat.chatId })
          .where(and(eq(botLinkCodes.codeHash, hashCode(code)), isNull(botLinkCodes.usedAt), gt(botLinkCodes.expiresAt, now)))
          .returning()
      : [];
    const owner = used ? await this.activeOwner(used.userId) : undefined;
    if (!used || !owner) {
      const failures = await this.deps.chats.recordLinkFailure(chat.chatId, guessWindowMs);
      this.deps.logger.warn({ chatId: chat.chatId, failures }, "bot.link_code_rejected");
      return { status: "invalid" };
    }

    await this.deps.chats.link(chat.chatId, owner.accountId, used.userId);
    this.deps.logger.info({ chatId: chat.chatId, accountId: owner.accountId, userId: used.userId }, "bot.chat_linked");
    return { status: "linked", accountId: owner.accountId, userId: used.userId, email: owner.email };
  }

  /** Milliseconds the chat must still wait before its next guess; 0 when it may try. */
  private blockedFor(chat: ChatRow, now: Date): number {
    if (chat.linkFailures < maxGuesses || chat.linkFailuresSince === null) return 0;
    return Math.max(0, chat.linkFailuresSince.getTime() + guessWindowMs - now.getTime());
  }

  private async activeOwner(userId: string): Promise<{ accountId: string; email: string } | undefined> {
    const [row] = await this.deps.db
      .select({ accountId: users.accountId, email: users.email })
      .from(users)
      .innerJoin(accounts, eq(accounts.id, users.accountId))
      .where(and(eq(users.id, userId), eq(users.isActive, true), eq(accounts.status, "ACTIVE")));
    return row;
  }
}

function randomCode(): string {
  // 256 is a multiple of 32, so taking each byte modulo 32 keeps every character equally likely.
  return [...randomBytes(linkCodeLength)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

function hashCode(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}
