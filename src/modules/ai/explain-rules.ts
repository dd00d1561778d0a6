import type { Locale } from "../../lib/messages";

/** The stored figures an explanation is built from: one snapshot's score and its inputs. */
export interface ScoreFacts {
  title: string;
  score: number;
  scoreVersion: number | null;
  /** Each weighted term, as `computeScore` stored it: weekly, orders, rating, supply. */
  components: Record<string, number>;
  weeklyBuyersUsed: number | null;
  weeklyBasis: "current" | "last_known" | "assumed_zero" | null;
  weeklyDate: string | null;
  ordersQuantity: number | null;
  rating: number | null;
  sellPriceSom: number | null;
  discountPercent: number | null;
}

type Phrases = {
  score: (score: string, version: string) => string;
  largest: (name: string, value: string, percent: number) => string;
  names: Record<"weekly" | "orders" | "rating" | "supply", string>;
  weekly: (buyers: string, value: string) => string;
  orders: (orders: string, value: string) => string;
  rating: (rating: string, value: string) => string;
  supply: Record<"FBO" | "FBS" | "unknown", (value: string) => string>;
  basis: Record<"current" | "last_known" | "assumed_zero", (date: string) => string>;
};

const phrases: Record<Locale, Phrases> = {
  uz: {
    score: (score, version) => `Ball: ${score} (formula v${version}).`,
    largest: (name, value, percent) => `Eng katta hissa — ${name}: ${value} (${percent}%).`,
    names: { weekly: "haftalik xaridorlar", orders: "jami buyurtmalar", rating: "reyting", supply: "ombor turi" },
    weekly: (buyers, value) => `Haftalik xaridorlar: ${buyers} → ${value}.`,
    orders: (orders, value) => `Jami buyurtmalar: ${orders} → ${value}.`,
    rating: (rating, value) => `Reyting ${rating} → ${value}.`,
    supply: {
      FBO: (value) => `Tovar Uzum omborida (FBO) → ${value}.`,
      FBS: (value) => `Tovarni sotuvchining o'zi yetkazadi (FBS) → ${value}.`,
      unknown: (value) => `Ombor turi noma'lum → ${value}.`,
    },
    basis: {
      current: () => "Haftalik ko'rsatkich bugungi.",
      last_known: (date) => `Bugungi haftalik ko'rsatkich noma'lum, shuning uchun ${date} kungi oxirgi qiymat olindi.`,
      assumed_zero: () => "So'nggi 14 kunda haftalik ko'rsatkich yo'q, shuning uchun 0 olindi; ball past ko'rinishi mumkin.",
    },
  },
  ru: {
    score: (score, version) => `Балл: ${score} (формула v${version}).`,
    largest: (name, value, percent) => `Наибольший вклад — ${name}: ${value} (${percent}%).`,
    names: { weekly: "покупатели за неделю", orders: "всего заказов", rating: "рейтинг", supply: "тип склада" },
    weekly: (buyers, value) => `Покупатели за неделю: ${buyers} → ${value}.`,
    orders: (orders, value) => `Всего заказов: ${orders} → ${value}.`,
    rating: (rating, value) => `Рейтинг ${rating} → ${value}.`,
    supply: {
      FBO: (value) => `Товар на складе Uzum (FBO) → ${value}.`,
      FBS: (value) => `Продавец отправляет сам (FBS) → ${value}.`,
      unknown: (value) => `Тип склада неизвестен → ${value}.`,
    },
    basis: {
      current: () => "Недельный показатель — сегодняшний.",
      last_known: (date) => `Сегодняшний недельный показатель неизвестен, взят последний от ${date}.`,
      assumed_zero: () => "За последние 14 дней недельного показателя нет, поэтому взят 0; балл может быть занижен.",
    },
  },
  en: {
    score: (score, version) => `Score: ${score} (formula v${version}).`,
    largest: (name, value, percent) => `The largest part comes from ${name}: ${value} (${percent}%).`,
    names: { weekly: "weekly buyers", orders: "total orders", rating: "rating", supply: "fulfilment" },
    weekly: (buyers, value) => `Weekly buyers: ${buyers} → ${value}.`,
    orders: (orders, value) => `Total orders: ${orders} → ${value}.`,
    rating: (rating, value) => `Rating ${rating} → ${value}.`,
    supply: {
      FBO: (value) => `Stock in Uzum's warehouse (FBO) → ${value}.`,
      FBS: (value) => `The seller ships it (FBS) → ${value}.`,
      unknown: (value) => `Fulfilment type unknown → ${value}.`,
    },
    basis: {
      current: () => "The weekly figure is today's.",
      last_known: (date) => `Today's weekly figure is unknown, so the latest one, from ${date}, was used.`,
      assumed_zero: () => "There is no weekly figure in the last 14 days, so 0 was used and the score may be understated.",
    },
  },
};

const componentOrder = ["weekly", "orders", "rating", "supply"] as const;

/**
 * Explains a score from its stored components without any model: the total, the largest
 * term with its share, each term with the figure behind it, and where the weekly figure came from.
 * The same facts and language always give the same text.
 */
export function explainFromComponents(facts: ScoreFacts, locale: Locale): string {
  const text = phrases[locale];
  const part = (name: (typeof componentOrder)[number]) => facts.components[name] ?? 0;
  const sentences = [text.score(fixed(facts.score), String(facts.scoreVersion ?? 1))];

  const largest = componentOrder.reduce((best, name) => (part(name) > part(best) ? name : best), componentOrder[0]);
  if (facts.score > 0 && part(largest) > 0) {
    const percent = Math.round((part(largest) / facts.score) * 100);
    sentences.push(text.largest(text.names[largest], fixed(part(largest)), percent));
  }

  sentences.push(text.weekly(whole(facts.weeklyBuyersUsed), fixed(part("weekly"))));
  if (facts.weeklyBasis) sentences.push(text.basis[facts.weeklyBasis](facts.weeklyDate ?? "—"));
  sentences.push(text.orders(whole(facts.ordersQuantity), fixed(part("orders"))));
  sentences.push(text.rating(facts.rating === null ? "—" : facts.rating.toFixed(1), fixed(part("rating"))));
  sentences.push(text.supply[supplyKind(part("supply"))](fixed(part("supply"))));

  return sentences.join(" ");
}

/** `computeScore` weighs FBO as 0.1 and FBS as 0.05, so the stored term shows which it was. */
function supplyKind(value: number): "FBO" | "FBS" | "unknown" {
  if (value >= 0.075) return "FBO";
  if (value > 0) return "FBS";
  return "unknown";
}

function fixed(value: number): string {
  return value.toFixed(2);
}

/** Digits grouped by thin spaces, the same in every language, so the text does not depend on the runtime's locale data. */
function whole(value: number | null): string {
  if (value === null) return "—";
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
}
