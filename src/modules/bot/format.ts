import type { AlertType, BotLocale } from "../../db/schema";
import type { AlertEventRow } from "../alerts/service";
import type { WinnerRow } from "../discovery/repository";
import type { StoredProduct } from "../uzum/repository";
import type { TrackedItem } from "../uzum/tracking";
import { clip, escapeHtml } from "./html";
import type { Texts } from "./texts";

/** Characters of a product title shown in lists and cards; Uzum titles run to several hundred. */
const titleMaxLength = 300;

/** Formats a whole number with spaces between thousands, as both languages write prices. */
export function formatNumber(value: number): string {
  const rounded = Math.round(value);
  return rounded.toLocaleString("en-US").replaceAll(",", " ");
}

/** Returns the product title in the chat's language, clipped and escaped. */
export function productTitle(product: StoredProduct["product"], locale: BotLocale): string {
  const title = (locale === "ru" ? product.titleRu : product.titleUz) ?? product.title;
  return escapeHtml(clip(title, titleMaxLength));
}

function price(texts: Texts, som: number | null): string {
  return som === null ? texts.card.unknown : `${formatNumber(som)} ${texts.card.som}`;
}

function stock(texts: Texts, units: number | null): string {
  return units === null ? texts.card.unknown : `${formatNumber(units)} ${texts.card.units}`;
}

function score(texts: Texts, value: number | null): string {
  return value === null ? texts.card.unknown : value.toFixed(2);
}

function weekly(texts: Texts, stored: StoredProduct["snapshot"]): string {
  if (stored.weeklyBuyers === null) return texts.card.unknown;
  const source = stored.weeklyBuyersSource === "orders_delta" ? texts.card.source.estimate : texts.card.source.banner;
  return `${formatNumber(stored.weeklyBuyers)} (${source})`;
}

/** Formats the price, with the discount and the price before it when Uzum shows one, such as `330 000 so'm (−25%, avval 440 000 so'm)`. */
function priceWithDiscount(texts: Texts, snapshot: StoredProduct["snapshot"]): string {
  const current = price(texts, snapshot.sellPriceSom);
  const { fullPriceSom, discountPercent, sellPriceSom } = snapshot;
  if (fullPriceSom === null || sellPriceSom === null || fullPriceSom <= sellPriceSom || !discountPercent) return current;
  return `${current} (−${Math.round(discountPercent)}%, ${texts.card.wasPrice(price(texts, fullPriceSom))})`;
}

function rating(texts: Texts, snapshot: StoredProduct["snapshot"]): string {
  if (snapshot.rating === null) return texts.card.unknown;
  const reviews = snapshot.reviewsCount === null ? "" : ` (${texts.card.reviews(formatNumber(snapshot.reviewsCount))})`;
  return `${snapshot.rating.toFixed(1)}${reviews}`;
}

/**
 * Formats the score card of an analysed product: title, price with any discount, stock, weekly
 * buyers with source, total orders, rating, score and shop.
 */
export function scoreCard(stored: StoredProduct, texts: Texts, locale: BotLocale): string {
  const { snapshot, shop } = stored;
  const lines = [
    `<b>${productTitle(stored.product, locale)}</b>`,
    `${texts.card.price}: ${priceWithDiscount(texts, snapshot)}`,
    `${texts.card.stock}: ${stock(texts, snapshot.stockUnits)}`,
    `${texts.card.weeklyBuyers}: ${weekly(texts, snapshot)}`,
    `${texts.card.orders}: ${snapshot.ordersQuantity === null ? texts.card.unknown : formatNumber(snapshot.ordersQuantity)}`,
    `${texts.card.rating}: ${rating(texts, snapshot)}`,
    `${texts.card.score}: ${score(texts, snapshot.score)}`,
  ];
  if (shop) lines.push(`${texts.card.shop}: ${escapeHtml(clip(shop.title, titleMaxLength))}`);
  lines.push(`https://uzum.uz/${locale}/product/${stored.product.id}`);
  return lines.join("\n");
}

/** Formats the score trend of the tracked list's history, oldest to newest, such as `5.10 → 6.32 ↑`. */
export function scoreTrend(history: TrackedItem["scoreHistory"]): string {
  const scores = history.map((point) => point.score).filter((value): value is number => value !== null);
  if (scores.length === 0) return "–";
  const first = scores[0];
  const last = scores[scores.length - 1];
  if (scores.length === 1) return last.toFixed(2);
  let arrow = "→";
  if (last > first) arrow = "↑";
  if (last < first) arrow = "↓";
  return `${first.toFixed(2)} → ${last.toFixed(2)} ${arrow}`;
}

/** Formats one page of the tracked list. Each product takes two lines, so a long message splits between products. */
export function trackedPage(items: TrackedItem[], offset: number, texts: Texts, locale: BotLocale): string {
  return items
    .map((item, index) => {
      const { snapshot } = item.stored;
      const figures = [
        price(texts, snapshot.sellPriceSom),
        `${texts.card.stock}: ${stock(texts, snapshot.stockUnits)}`,
        `${texts.card.weeklyBuyers}: ${weekly(texts, snapshot)}`,
        `${texts.card.score}: ${scoreTrend(item.scoreHistory)}`,
      ];
      return `${offset + index + 1}. <b>${productTitle(item.stored.product, locale)}</b> (${item.stored.product.id})\n${figures.join(" · ")}`;
    })
    .join("\n");
}

/** Formats the top five winners of a discovery run, two lines each. */
export function winnerLines(winners: WinnerRow[], texts: Texts): string {
  return winners
    .slice(0, 5)
    .map((winner) => {
      const title = escapeHtml(clip(winner.title, titleMaxLength));
      const weeklyBuyers = winner.weeklyBuyers === null ? texts.card.unknown : formatNumber(winner.weeklyBuyers);
      return `${winner.rank}. <b>${title}</b> (${winner.productId})\n${texts.card.score}: ${score(texts, winner.score)} · ${texts.card.weeklyBuyers}: ${weeklyBuyers} · ${price(texts, winner.sellPriceSom)}`;
    })
    .join("\n");
}

/** Describes a rule, such as "Price dropped by 10% or more". */
export function ruleText(texts: Texts, type: AlertType, threshold: number | null): string {
  return texts.rules[type](threshold === null ? "" : formatThreshold(threshold));
}

function formatThreshold(threshold: number): string {
  return Number.isInteger(threshold) ? String(threshold) : threshold.toFixed(1);
}

/** Formats one alert: the product, the rule and the figure before and after. */
export function alertLines(event: AlertEventRow, title: string, texts: Texts): string {
  const figure = (value: number | null) => {
    if (value === null) return texts.card.unknown;
    if (event.type === "PRICE_DROP" || event.type === "PRICE_RISE") return price(texts, value);
    if (event.type === "SCORE_SPIKE") return value.toFixed(2);
    return formatNumber(value);
  };
  return [
    `<b>${escapeHtml(clip(title, titleMaxLength))}</b> (${event.productId})`,
    `${ruleText(texts, event.type, event.threshold)}: ${texts.alertChange(figure(event.valueBefore), figure(event.valueAfter))}`,
  ].join("\n");
}
