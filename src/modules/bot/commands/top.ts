import { Composer } from "grammy";
import { parseCategoryInput } from "../../discovery/category-input";
import { latestFinishedRun } from "../../discovery/repository";
import { commandArgument, reply, requireLink, type BotContext, type BotDeps } from "../context";
import { clip, escapeHtml } from "../html";
import { loadTopWinners, topWinnersText } from "../winners";

/** /top [category link or id]: the top five of the account's latest finished discovery run. */
export function topCommands(deps: BotDeps) {
  const composer = new Composer<BotContext>();

  composer.command("top", async (ctx) => {
    const link = await requireLink(deps, ctx);
    if (!link) return;

    const input = commandArgument(ctx);
    let categoryId: number | null = null;
    if (input) {
      try {
        categoryId = parseCategoryInput(input).categoryId;
      } catch {
        return reply(deps, ctx, ctx.texts.invalidCategory);
      }
    }

    const run = await latestFinishedRun(deps.db, { accountId: link.accountId, categoryId });
    if (!run) return reply(deps, ctx, ctx.texts.topEmpty);
    const locale = ctx.chatRecord.locale;
    const lines = topWinnersText(await loadTopWinners(deps.db, run.id, locale === "ru"), ctx.texts, locale);

    const category = escapeHtml(clip(run.categoryName ?? String(run.categoryId), 200));
    const body = lines ?? ctx.texts.discoveryNoWinners;
    await reply(deps, ctx, `${ctx.texts.topHeader(category)}\n${body}`);
  });

  return composer;
}
