import { and, eq, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { alertDeliveries, alertEvents, products, type AlertDeliveryStatus } from "../../db/schema";
import type { DiscoveryRunEnded } from "../../jobs/refresh-events";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import { quietUntil } from "../alerts/quiet-hours";
import type { AlertEventRow, AlertService } from "../alerts/service";
import { loadTopWinners, topWinnersText } from "./winners";
import type { ChatRepository, ChatRow } from "./chats";
import { alertLines } from "./format";
import { clip, escapeHtml } from "./html";
import type { TelegramSender } from "./telegram";
import { textsFor } from "./texts";

/** Waits before the 2nd, 3rd, 4th and 5th delivery of an event that no chat accepted yet; then it fails. */
const retryDelaysMs = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000];
/** A claim older than this belongs to a sender that died, so the event is claimed again. */
const staleClaimMs = 10 * 60_000;

export interface AlertDeliveryDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  chats: ChatRepository;
  sender: TelegramSender;
  alerts: AlertService;
  /**
   * Called for each delivery attempt's result, for metrics: `delivered`, `no_chat`, `retry`
   * (sent again later) or `failed` (given up), with the number of events.
   */
  onOutcome?: (outcome: "delivered" | "no_chat" | "retry" | "failed", events: number) => void;
}

/** The metrics outcome of each final delivery status. */
const outcomeOfStatus: Partial<Record<AlertDeliveryStatus, "delivered" | "no_chat" | "failed">> = {
  DELIVERED: "delivered",
  NO_CHAT: "no_chat",
  FAILED: "failed",
};

interface Message {
  events: AlertEventRow[];
  render: (chat: ChatRow) => string;
}

/**
 * Sends fired alerts to every active linked chat of their account. An event is claimed before
 * sending, so two instances never send it twice. It is marked DELIVERED only when each chat
 * accepted it, and a chat that failed gets it again on a later attempt. Events fired in quiet
 * hours wait and go out together as one digest when the quiet hours end.
 */
export class AlertDelivery {
  private readonly running = new Set<Promise<void>>();
  /** The last background task of each account; the next one waits for it, so an account's messages keep their order. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: AlertDeliveryDeps) {}

  /** Starts delivering to the accounts in the background, as the refresh must not wait for Telegram. */
  schedule(accountIds: string[]): void {
    for (const accountId of accountIds) this.enqueue(accountId, () => this.deliver(accountId));
  }

  /** Starts a discovery notice in the background. */
  scheduleDiscoveryNotice(event: DiscoveryRunEnded): void {
    this.enqueue(event.accountId, () => this.notifyDiscovery(event));
  }

  /** Resolves once every delivery started so far has ended; shutdown and tests wait on it. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Delivers every account's due events: those whose quiet hours ended and retries whose time came. */
  async deliverDue(): Promise<void> {
    const now = this.deps.clock.now();
    const rows = await this.deps.db
      .selectDistinct({ accountId: alertEvents.accountId })
      .from(alertEvents)
      .where(
        and(
          inArray(alertEvents.deliveryStatus, ["PENDING", "SENDING"]),
          or(isNull(alertEvents.heldUntil), lte(alertEvents.heldUntil, now)),
          or(isNull(alertEvents.nextAttemptAt), lte(alertEvents.nextAttemptAt, now)),
        ),
      );
    for (const { accountId } of rows) await this.deliver(accountId);
  }

  /** Delivers the account's due events now; in quiet hours they wait for the end of the quiet period instead. */
  async deliver(accountId: string): Promise<void> {
    const now = this.deps.clock.now();
    const quietEnd = quietUntil(now, await this.deps.alerts.quietHours(accountId));
    if (quietEnd) {
      await this.hold(accountId, quietEnd, now);
      return;
    }

    const events = await this.claim(accountId, now);
    if (events.length === 0) return;

    const chats = await this.deps.chats.activeChats(accountId);
    if (chats.length === 0) {
      await this.finish(events, "NO_CHAT", now);
      this.deps.logger.info({ accountId, events: events.length }, "alerts.no_chat");
      return;
    }

    const messages = await this.messages(events);
    const delivered = await this.deliveredChats(events);
    const blocked = new Set<number>();
    const errors: string[] = [];
    for (const chat of chats) {
      for (const message of messages) {
        const pending = message.events.filter((event) => !delivered.get(event.id)?.has(chat.chatId));
        if (pending.length === 0) continue;

        const outcome = await this.deps.sender.sendText(chat.chatId, message.render(chat));
        if (outcome.status === "blocked") {
          blocked.add(chat.chatId);
          break;
        }
        if (outcome.status === "failed") {
          errors.push(outcome.error);
          break;
        }
        await this.recordDelivered(pending, chat.chatId, now, delivered);
      }
    }

    await this.settle(events, chats.filter((chat) => !blocked.has(chat.chatId)), delivered, errors, now);
  }

  /** Marks the account's waiting events as held until `quietEnd`, so the API shows why they wait. */
  private async hold(accountId: string, quietEnd: Date, now: Date): Promise<void> {
    await this.deps.db
      .update(alertEvents)
      .set({ heldUntil: quietEnd })
      .where(
        and(
          eq(alertEvents.accountId, accountId),
          eq(alertEvents.deliveryStatus, "PENDING"),
          or(isNull(alertEvents.heldUntil), lte(alertEvents.heldUntil, now)),
        ),
      );
  }

  /** Takes the account's due events for this sender in one statement, so a concurrent sender gets none of them. */
  private claim(accountId: string, now: Date): Promise<AlertEventRow[]> {
    const staleBefore = new Date(now.getTime() - staleClaimMs);
    return this.deps.db
      .update(alertEvents)
      .set({ deliveryStatus: "SENDING", claimedAt: now })
      .where(
        and(
          eq(alertEvents.accountId, accountId),
          or(eq(alertEvents.deliveryStatus, "PENDING"), and(eq(alertEvents.deliveryStatus, "SENDING"), lt(alertEvents.claimedAt, staleBefore))),
          or(isNull(alertEvents.heldUntil), lte(alertEvents.heldUntil, now)),
          or(isNull(alertEvents.nextAttemptAt), lte(alertEvents.nextAttemptAt, now)),
        ),
      )
      .returning()
      .then((rows) => rows.sort((a, b) => a.firedAt.getTime() - b.firedAt.getTime()));
  }

  /** Builds one digest for the events held through quiet hours, and one message for each other event. */
  private async messages(events: AlertEventRow[]): Promise<Message[]> {
    const ids = [...new Set(events.map((event) => event.productId))];
    const rows = await this.deps.db
      .select({ id: products.id, title: products.title, titleUz: products.titleUz, titleRu: products.titleRu })
      .from(products)
      .where(inArray(products.id, ids));
    const byId = new Map(rows.map((row) => [row.id, row]));
    const title = (event: AlertEventRow, chat: ChatRow) => {
      const row = byId.get(event.productId);
      return (chat.locale === "ru" ? row?.titleRu : row?.titleUz) ?? row?.title ?? String(event.productId);
    };

    const held = events.filter((event) => event.heldUntil !== null);
    const single = events.filter((event) => event.heldUntil === null);
    const messages: Message[] = single.map((event) => ({
      events: [event],
      render: (chat) => `${textsFor(chat.locale).alertTitle}\n${alertLines(event, title(event, chat), textsFor(chat.locale))}`,
    }));
    if (held.length > 0) {
      messages.unshift({
        events: held,
        render: (chat) => {
          const texts = textsFor(chat.locale);
          return [texts.digestHeader(held.length), ...held.map((event) => alertLines(event, title(event, chat), texts))].join("\n\n");
        },
      });
    }
    return messages;
  }

  private async deliveredChats(events: AlertEventRow[]): Promise<Map<string, Set<number>>> {
    const rows = await this.deps.db
      .select()
      .from(alertDeliveries)
      .where(inArray(alertDeliveries.eventId, events.map((event) => event.id)));
    const byEvent = new Map<string, Set<number>>();
    for (const row of rows) {
      if (!byEvent.has(row.eventId)) byEvent.set(row.eventId, new Set());
      byEvent.get(row.eventId)!.add(row.chatId);
    }
    return byEvent;
  }

  private async recordDelivered(events: AlertEventRow[], chatId: number, now: Date, delivered: Map<string, Set<number>>): Promise<void> {
    await this.deps.db
      .insert(alertDeliveries)
      .values(events.map((event) => ({ eventId: event.id, chatId, deliveredAt: now })))
      .onConflictDoNothing();
    for (const event of events) {
      if (!delivered.has(event.id)) delivered.set(event.id, new Set());
      delivered.get(event.id)!.add(chatId);
    }
  }

  /** Marks each event delivered when every chat still active has it, and otherwise schedules a retry or gives up. */
  private async settle(events: AlertEventRow[], chats: ChatRow[], delivered: Map<string, Set<number>>, errors: string[], now: Date) {
    const done: AlertEventRow[] = [];
    const noChat: AlertEventRow[] = [];
    for (const event of events) {
      const reached = delivered.get(event.id) ?? new Set<number>();
      const missing = chats.filter((chat) => !reached.has(chat.chatId));
      if (missing.length > 0) {
        await this.retryLater(event, errors.at(-1) ?? "not sent", now);
        continue;
      }
      if (reached.size > 0) done.push(event);
      else noChat.push(event);
    }
    await this.finish(done, "DELIVERED", now);
    await this.finish(noChat, "NO_CHAT", now);
    this.deps.logger.info(
      { accountId: events[0].accountId, events: events.length, delivered: done.length, noChat: noChat.length, chats: chats.length },
      "alerts.delivered",
    );
  }

  private async retryLater(event: AlertEventRow, error: string, now: Date): Promise<void> {
    const attempts = event.deliveryAttempts + 1;
    const delayMs = retryDelaysMs[attempts - 1];
    await this.deps.db
      .update(alertEvents)
      .set({
        deliveryStatus: delayMs === undefined ? "FAILED" : "PENDING",
        deliveryAttempts: attempts,
        nextAttemptAt: delayMs === undefined ? null : new Date(now.getTime() + delayMs),
        claimedAt: null,
        lastError: clip(error, 500),
      })
      .where(eq(alertEvents.id, event.id));
    this.deps.logger.warn({ eventId: event.id, accountId: event.accountId, attempts, error, gaveUp: delayMs === undefined }, "alerts.delivery_failed");
    this.deps.onOutcome?.(delayMs === undefined ? "failed" : "retry", 1);
  }

  private async finish(events: AlertEventRow[], status: AlertDeliveryStatus, now: Date): Promise<void> {
    if (events.length === 0) return;
    await this.deps.db
      .update(alertEvents)
      .set({
        deliveryStatus: status,
        deliveryAttempts: sql`${alertEvents.deliveryAttempts} + 1`,
        deliveredAt: status === "DELIVERED" ? now : null,
        claimedAt: null,
        nextAttemptAt: null,
      })
      .where(inArray(alertEvents.id, events.map((event) => event.id)));
    const outcome = outcomeOfStatus[status];
    if (outcome) this.deps.onOutcome?.(outcome, events.length);
  }

  /**
   * Tells the account's chats that a discovery run finished, with its top five, or failed, with the reason.
   * The seller asked for the scan, so in quiet hours the message is sent silently rather than held back.
   */
  private async notifyDiscovery(event: DiscoveryRunEnded): Promise<void> {
    const chats = await this.deps.chats.activeChats(event.accountId);
    if (chats.length === 0) return;

    const silent = quietUntil(this.deps.clock.now(), await this.deps.alerts.quietHours(event.accountId)) !== null;
    const top = event.status === "FINISHED" ? await loadTopWinners(this.deps.db, event.runId, chats.some((chat) => chat.locale === "ru")) : undefined;

    const category = escapeHtml(clip(event.categoryName ?? String(event.categoryId), 200));
    let sent = 0;
    for (const chat of chats) {
      const texts = textsFor(chat.locale);
      const html = top
        ? `${texts.discoveryFinished(category)}\n${topWinnersText(top, texts, chat.locale) ?? texts.discoveryNoWinners}`
        : texts.discoveryFailed(category, event.errorCode ? texts.discoveryErrors[event.errorCode] : escapeHtml(clip(event.error ?? texts.card.unknown, 500)));
      const outcome = await this.deps.sender.sendText(chat.chatId, html, { silent });
      if (outcome.status === "sent") sent++;
    }
    this.deps.logger.info({ runId: event.runId, accountId: event.accountId, status: event.status, chats: chats.length, sent, silent }, "bot.discovery_notice_sent");
  }

  private enqueue(accountId: string, work: () => Promise<void>): void {
    const previous = this.queues.get(accountId) ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(work)
      .catch((error: unknown) => this.deps.logger.error({ err: error, accountId }, "alerts.delivery_crashed"))
      .finally(() => {
        this.running.delete(next);
        if (this.queues.get(accountId) === next) this.queues.delete(accountId);
      });
    this.queues.set(accountId, next);
    this.running.add(next);
  }
}
