import { Composer } from "grammy";
import { botLocales, type BotLocale } from "../../../db/schema";
import { commandArgument, reply, type BotContext, type BotDeps } from "../context";
import { textsFor } from "../texts";

/** /help and /lang uz|ru. */
export function helpCommands(deps: BotDeps) {
  const composer = new Composer<BotContext>();

  composer.command("help", (ctx) => reply(deps, ctx, ctx.texts.help));

  composer.command("lang", async (ctx) => {
    const choice = commandArgument(ctx).toLowerCase();
    if (!botLocales.includes(choice as BotLocale)) return reply(deps, ctx, ctx.texts.langUsage);

    const locale = choice as BotLocale;
    await deps.chats.setLocale(ctx.chatRecord.chatId, locale);
    ctx.chatRecord.locale = locale;
    ctx.texts = textsFor(locale);
    await reply(deps, ctx, ctx.texts.langSet);
  });

  return composer;
}
