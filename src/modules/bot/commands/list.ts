import { Composer, InlineKeyboard } from "grammy";
import { reply, requireLink, type BotContext, type BotDeps } from "../context";
import { trackedPage } from "../format";

/** Tracked products per page of /list. */
export const listPageSize = 10;

/** /list and its paging buttons, whose callback data is `list:<page>` counted from 1. */
export function listCommands(deps: BotDeps) {
  const composer = new Composer<BotContext>();

  composer.command("list", async (ctx) => {
    const link = await requireLink(deps, ctx);
    if (!link) return;
    const page = await renderPage(deps, ctx, link.accountId, 1);
    await reply(deps, ctx, page.html, { keyboard: page.keyboard });
  });

  composer.callbackQuery(/^list:(\d{1,6})$/, async (ctx) => {
    await ctx.answerCallbackQuery().catch((error: unknown) => deps.logger.warn({ err: error }, "bot.callback_answer_failed"));
    const link = await requireLink(deps, ctx);
    const messageId = ctx.callbackQuery.message?.message_id;
    if (!link || messageId === undefined) return;

    const page = await renderPage(deps, ctx, link.accountId, Number(ctx.match[1]));
    // A page longer than one message cannot be edited in place, so it is sent anew.
    if (page.html.length > 4096) await reply(deps, ctx, page.html, { keyboard: page.keyboard });
    else await deps.sender.editText(ctx.chatRecord.chatId, messageId, page.html, { keyboard: page.keyboard });
  });

  return composer;
}

async function renderPage(deps: BotDeps, ctx: BotContext, accountId: string, requested: number) {
  let page = Math.max(1, requested);
  let { total, items } = await deps.tracking.list(accountId, { limit: listPageSize, offset: (page - 1) * listPageSize });
  if (total === 0) return { html: ctx.texts.listEmpty, keyboard: undefined };

  const pages = Math.ceil(total / listPageSize);
  // A button from an older message may point past the end after products were untracked.
  if (page > pages) {
    page = pages;
    ({ total, items } = await deps.tracking.list(accountId, { limit: listPageSize, offset: (page - 1) * listPageSize }));
  }

  const html = `${ctx.texts.listHeader(page, pages, total)}\n${trackedPage(items, (page - 1) * listPageSize, ctx.texts, ctx.chatRecord.locale)}`;
  const keyboard = new InlineKeyboard();
  if (page > 1) keyboard.text(ctx.texts.previous, `list:${page - 1}`);
  if (page < pages) keyboard.text(ctx.texts.next, `list:${page + 1}`);
  return { html, keyboard: pages > 1 ? keyboard : undefined };
}
