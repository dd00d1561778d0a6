import { Composer } from "grammy";
import { commandArgument, reply, type BotContext, type BotDeps } from "../context";

/** /start with or without a code (the deep link t.me/<bot>?start=<code>), /link <code> and /unlink. */
export function linkCommands(deps: BotDeps) {
  const composer = new Composer<BotContext>();

  const redeem = async (ctx: BotContext, code: string) => {
    const result = await deps.linkCodes.redeem(ctx.chatRecord, code);
    if (result.status === "linked") return reply(deps, ctx, ctx.texts.linked(result.email));
    if (result.status === "rate_limited") return reply(deps, ctx, ctx.texts.linkRateLimited(result.retryAfterMinutes));
    return reply(deps, ctx, ctx.texts.linkInvalid);
  };

  composer.command("start", async (ctx) => {
    const code = commandArgument(ctx);
    if (code) return redeem(ctx, code);
    const next = ctx.chatRecord.accountId ? ctx.texts.help : ctx.texts.howToLink;
    await reply(deps, ctx, `${ctx.texts.welcome}\n\n${next}`);
  });

  composer.command("link", async (ctx) => {
    const code = commandArgument(ctx);
    if (!code) return reply(deps, ctx, ctx.texts.linkUsage);
    await redeem(ctx, code);
  });

  composer.command("unlink", async (ctx) => {
    const wasLinked = await deps.chats.unlink(ctx.chatRecord.chatId);
    await reply(deps, ctx, wasLinked ? ctx.texts.unlinked : ctx.texts.notLinked);
  });

  return composer;
}
