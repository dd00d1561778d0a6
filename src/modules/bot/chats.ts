import { and, eq, isNotNull, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { botChats, type BotLocale } from "../../db/schema";
import type { Clock } from "../../lib/time";

export type ChatRow = typeof botChats.$inferSelect;

/** The bot's chats: who they are linked to, their language, and whether Telegram still delivers to them. */
export class ChatRepository {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /**
   * Returns the chat's row, creating it on first contact. A chat that writes to the bot is active
   * again even if it had blocked the bot before.
   */
  async touch(chatId: number): Promise<ChatRow> {
    const [row] = await this.deps.db
      .insert(botChats)
      .values({ chatId, createdAt: this.deps.clock.now() })
      .onConflictDoUpdate({ target: botChats.chatId, set: { isActive: true, deactivatedAt: null } })
      .returning();
    return row;
  }

  async setLocale(chatId: number, locale: BotLocale): Promise<void> {
    await this.deps.db.update(botChats).set({ locale }).where(eq(botChats.chatId, chatId));
  }

  async link(chatId: number, accountId: string, userId: string): Promise<void> {
    await this.deps.db
      .update(botChats)
      .set({ accountId, userId, linkedAt: this.deps.clock.now(), linkFailures: 0, linkFailuresSince: null })
      .where(eq(botChats.chatId, chatId));
  }

  /** Unlinks one chat; returns whether it was linked. */
  async unlink(chatId: number): Promise<boolean> {
    const rows = await this.deps.db
      .update(botChats)
      .set({ accountId: null, userId: null, linkedAt: null })
      .where(and(eq(botChats.chatId, chatId), isNotNull(botChats.accountId)))
      .returning({ chatId: botChats.chatId });
    return rows.length > 0;
  }

  /** Unlinks every chat a user linked; returns how many. */
  async unlinkUser(userId: string): Promise<number> {
    const rows = await this.deps.db
      .update(botChats)
      .set({ accountId: null, userId: null, linkedAt: null })
      .where(eq(botChats.userId, userId))
      .returning({ chatId: botChats.chatId });
    return rows.length;
  }

  /** Marks a chat that blocked the bot, so deliveries skip it until it writes again. */
  async deactivate(chatId: number): Promise<void> {
    await this.deps.db.update(botChats).set({ isActive: false, deactivatedAt: this.deps.clock.now() }).where(eq(botChats.chatId, chatId));
  }

  /** Returns the account's linked chats that still accept messages. */
  activeChats(accountId: string): Promise<ChatRow[]> {
    return this.deps.db
      .select()
      .from(botChats)
      .where(and(eq(botChats.accountId, accountId), eq(botChats.isActive, true)))
      .orderBy(botChats.chatId);
  }

  /**
   * Records a wrong link code in one statement, so guesses sent at once all count. A window older
   * than `windowMs` starts over. Returns the failures in the current window.
   */
  async recordLinkFailure(chatId: number, windowMs: number): Promise<number> {
    const now = this.deps.clock.now();
    const windowStart = new Date(now.getTime() - windowMs).toISOString();
    const inWindow = sql`${botChats.linkFailuresSince} > ${windowStart}::timestamptz`;
    const [row] = await this.deps.db
      .update(botChats)
      .set({
        linkFailures: sql`CASE WHEN ${inWindow} THEN ${botChats.linkFailures} + 1 ELSE 1 END`,
        linkFailuresSince: sql`CASE WHEN ${inWindow} THEN ${botChats.linkFailuresSince} ELSE ${now.toISOString()}::timestamptz END`,
      })
      .where(eq(botChats.chatId, chatId))
      .returning({ failures: botChats.linkFailures });
    return row?.failures ?? 0;
  }
}
