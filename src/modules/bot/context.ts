import type { Context, MiddlewareFn } from "grammy";
import type { Database } from "../../db/client";
import type { Logger } from "../../lib/logger";
import type { Clock } from "../../lib/time";
import type { AlertService } from "../alerts/service";
import type { ProductService } from "../uzum/service";
import type { TrackingService } from "../uzum/tracking";
import type { ChatRepository, ChatRow } from "./chats";
import type { LinkCodeService } from "./link-codes";
import type { SendOptions, TelegramSender } from "./telegram";
import { textsFor, type Texts } from "./texts";

/** What every handler gets besides the update: the chat's stored row and its language's texts. */
export interface ChatFlavor {
  chatRecord: ChatRow;
  texts: Texts;
}

export type BotContext = Context & ChatFlavor;

/** The services the command handlers use. */
export interface BotDeps {
  db: Database;
  clock: Clock;
  logger: Logger;
  chats: ChatRepository;
  linkCodes: LinkCodeService;
  sender: TelegramSender;
  products: ProductService;
  tracking: TrackingService;
  alerts: AlertService;
  analyzeLimit?: (userId: string) => Promise<unknown> | void;
}

/** Loads (or creates) the chat's row before any handler runs; updates without a chat stop here. */
export function loadChat(chats: ChatRepository): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (!ctx.chat) return;
    ctx.chatRecord = await chats.touch(ctx.chat.id);
    ctx.texts = textsFor(ctx.chatRecord.locale);
    await next();
  };
}

/** Sends HTML to the chat of the update, split when long. */
export function reply(deps: BotDeps, ctx: BotContext, html: string, options?: SendOptions) {
  return deps.sender.sendText(ctx.chatRecord.chatId, html, options);
}

/**
 * Returns the chat's account and user, or tells an unlinked chat how to link and returns undefined.
 */
export async function requireLink(deps: BotDeps, ctx: BotContext): Promise<{ accountId: string; userId: string } | undefined> {
  const { accountId, userId } = ctx.chatRecord;
  if (accountId && userId) return { accountId, userId };
  await reply(deps, ctx, `${ctx.texts.notLinked}\n${ctx.texts.howToLink}`);
  return undefined;
}

/** The text after the command, such as the link in `/analyze https://uzum.uz/...`. */
export function commandArgument(ctx: BotContext): string {
  const match = ctx.match;
  return typeof match === "string" ? match.trim() : "";
}
