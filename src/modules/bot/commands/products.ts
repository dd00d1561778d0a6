import { Composer } from "grammy";
import { AppError } from "../../../lib/errors";
import { RateLimitedError } from "../../../lib/rate-limit";
import { parseProductInput } from "../../uzum/product-url";
import { commandArgument, reply, requireLink, type BotContext, type BotDeps } from "../context";
import { productTitle, scoreCard } from "../format";
import type { Texts } from "../texts";

/** Telegram's limit for a photo caption. */
const maxCaptionLength = 1024;

/** /analyze, /track and /untrack, each taking an uzum.uz product link or id. */
export function productCommands(deps: BotDeps) {
  const composer = new Composer<BotContext>();

  composer.command("analyze", async (ctx) => {
    const link = await requireLink(deps, ctx);
    if (!link) return;
    const productId = await productArgument(deps, ctx, "analyze");
    if (productId === undefined) return;
    await analyzeAndReply(deps, ctx, link.userId, productId);
  });

  composer.command("track", async (ctx) => {
    const link = await requireLink(deps, ctx);
    if (!link) return;
    const productId = await productArgument(deps, ctx, "track");
    if (productId === undefined) return;

    const tracked = await deps.tracking.track(link.accountId, link.userId, productId).catch((error: unknown) => failure(deps, ctx, error));
    if (!tracked) return;
    const stored = await deps.products.getStored(productId);
    const title = productTitle(stored.product, ctx.chatRecord.locale);
    await reply(deps, ctx, tracked.created ? ctx.texts.tracked(title) : ctx.texts.alreadyTracked(title));
  });

  composer.command("untrack", async (ctx) => {
    const link = await requireLink(deps, ctx);
    if (!link) return;
    const productId = await productArgument(deps, ctx, "untrack");
    if (productId === undefined) return;

    const untracked = await deps.tracking.untrack(link.accountId, productId).catch((error: unknown) => failure(deps, ctx, error));
    if (untracked) await reply(deps, ctx, ctx.texts.untracked);
  });

  return composer;
}

/** Analyses a product pasted as a bare uzum.uz link, without /analyze; any other text goes on to the next handler. */
export function pastedProductLinks(deps: BotDeps) {
  const composer = new Composer<BotContext>();
  composer.on("message:text", async (ctx, next) => {
    const text = ctx.message.text.trim();
    let productId: number | undefined;
    if (/^\S*uzum\.uz\/\S+$/i.test(text)) {
      try {
        productId = parseProductInput(text);
      } catch {
        productId = undefined;
      }
    }
    if (productId === undefined) return next();

    const link = await requireLink(deps, ctx);
    if (link) await analyzeAndReply(deps, ctx, link.userId, productId);
  });
  return composer;
}

/** Analyses the product and replies with its score card, or with the reason it failed. */
async function analyzeAndReply(deps: BotDeps, ctx: BotContext, userId: string, productId: number): Promise<void> {
  // A chat analyses from Uzum like POST /uzum/analyze, so it counts against the same per-user limit.
  const stored = await Promise.resolve()
    .then(() => deps.analyzeLimit?.(userId))
    .then(() => deps.products.analyze(productId))
    .catch((error: unknown) => failure(deps, ctx, error));
  if (!stored) return;

  const card = scoreCard(stored, ctx.texts, ctx.chatRecord.locale);
  const photo = stored.product.photoUrl;
  const withPhoto = photo && card.length <= maxCaptionLength ? await deps.sender.sendPhoto(ctx.chatRecord.chatId, photo, card) : undefined;
  // Telegram rejects some photo links, such as a file over its size limit; the card then goes as text.
  if (withPhoto?.status !== "sent" && withPhoto?.status !== "blocked") await reply(deps, ctx, card);
}

/** Reads the product from the command; on missing or invalid input it replies with the usage or the error and returns undefined. */
async function productArgument(deps: BotDeps, ctx: BotContext, command: string): Promise<number | undefined> {
  const input = commandArgument(ctx);
  if (!input) {
    await reply(deps, ctx, ctx.texts.productUsage(command));
    return undefined;
  }
  try {
    return parseProductInput(input);
  } catch {
    await reply(deps, ctx, ctx.texts.invalidProduct);
    return undefined;
  }
}

/** Replies to a failed command with the text for its error code, and rethrows errors that have none. */
async function failure(deps: BotDeps, ctx: BotContext, error: unknown): Promise<undefined> {
  let text: string | undefined;
  if (error instanceof RateLimitedError) text = ctx.texts.rateLimited(error.retryAfterSeconds);
  else if (error instanceof AppError) text = errorText(ctx.texts, error.code);
  if (!text) throw error;
  await reply(deps, ctx, text);
  return undefined;
}

function errorText(texts: Texts, code: string): string | undefined {
  if (code === "PRODUCT_NOT_FOUND") return texts.productNotFound;
  if (code === "UZUM_UNAVAILABLE") return texts.uzumUnavailable;
  if (code === "NOT_TRACKED") return texts.notTracked;
  if (code === "INVALID_PRODUCT_URL") return texts.invalidProduct;
  return undefined;
}
