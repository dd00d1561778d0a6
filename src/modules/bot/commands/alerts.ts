import { Composer, InlineKeyboard } from "grammy";
import { AppError } from "../../../lib/errors";
import { reply, requireLink, type BotContext, type BotDeps } from "../context";
import { ruleText } from "../format";

/** /alerts: the account's rules with a button per rule; callback data is `rule:<id>:on` or `rule:<id>:off`. */
export function alertCommands(deps: BotDeps) {
  const composer = new Composer<BotContext>();

  composer.command("alerts", async (ctx) => {
    const link = await requireLink(deps, ctx);
    if (!link) return;
    const view = await renderRules(deps, ctx, link.accountId);
    await reply(deps, ctx, view.html, { keyboard: view.keyboard });
  });

  composer.callbackQuery(/^rule:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):(on|off)$/, async (ctx) => {
    const link = await requireLink(deps, ctx);
    const messageId = ctx.callbackQuery.message?.message_id;
    if (!link || messageId === undefined) {
      // Telegram shows a spinner on the button until the bot calls answerCallbackQuery.
      await ctx.answerCallbackQuery();
      return;
    }

    try {
      await deps.alerts.updateRule(link.accountId, ctx.match[1], { isEnabled: ctx.match[2] === "on" });
    } catch (error) {
      if (!(error instanceof AppError && error.code === "ALERT_RULE_NOT_FOUND")) throw error;
      await ctx.answerCallbackQuery({ text: ctx.texts.ruleNotFound });
      return;
    }
    await ctx.answerCallbackQuery();
    const view = await renderRules(deps, ctx, link.accountId);
    await deps.sender.editText(ctx.chatRecord.chatId, messageId, view.html, { keyboard: view.keyboard });
  });

  return composer;
}

async function renderRules(deps: BotDeps, ctx: BotContext, accountId: string) {
  const rules = await deps.alerts.listRules(accountId);
  if (rules.length === 0) return { html: ctx.texts.alertsEmpty, keyboard: undefined };

  const keyboard = new InlineKeyboard();
  const lines = rules.map((rule, index) => {
    const number = index + 1;
    const scope = rule.productId === null ? ctx.texts.allProducts : String(rule.productId);
    const state = rule.isEnabled ? ctx.texts.ruleOn : ctx.texts.ruleOff;
    if (rule.isEnabled) keyboard.text(ctx.texts.switchOff(number), `rule:${rule.id}:off`);
    else keyboard.text(ctx.texts.switchOn(number), `rule:${rule.id}:on`);
    // Two buttons a row, and no empty row after the last.
    if (number % 2 === 0 && number < rules.length) keyboard.row();
    return `${number}. ${ruleText(ctx.texts, rule.type, rule.threshold)} (${scope}): ${state}`;
  });
  return { html: `${ctx.texts.alertsHeader}\n${lines.join("\n")}`, keyboard };
}
