/**
 * Parsing of the "motivation" banner that Uzum shows on a product page, in Uzbek and Russian:
 * "Bu haftada 305 kishi sotib oldi", "533 человека купили на этой неделе",
 * "7 ta insonning savatida", "8 ta insonning xohishlari röyxatida".
 */

export type MotivationKind = "weekly_buyers" | "in_carts" | "in_wishlists";

/** One banner reduced to what it counts: people who bought this week, or who hold the item in a cart or wishlist. */
export interface MotivationReading {
  kind: MotivationKind;
  count: number;
}

/** A banner found inside a longer text, with the span it covers. */
export interface MotivationMatch extends MotivationReading {
  /** The matched banner text exactly as it appears in the input. */
  text: string;
  /** Offset of the match in the input, in UTF-16 code units. */
  index: number;
  locale: "uz" | "ru";
}

// A count is plain digits, or digit groups of three joined by one space, no-break space (U+00A0)
// or narrow no-break space (U+202F), so "1 234" is 1234. Abbreviated thousands take a decimal part
// with "," or "." ("1,2 тыс." and "1,2 ming" are 1200). The lookbehind rejects a start in the middle
// of a number, so "1 234" never yields 234 and "1,2" never yields 2.
const COUNT =
  String.raw`(?<!\d[., \u00a0\u202f]?)(\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)` +
  String.raw`(?:(?:[.,](\d+))?\s*(тыс\.|тысяч[аи]?|тыс|ming)(?!\p{L}))?`;

const WORD_START = String.raw`(?<![\p{L}\p{N}])`;
const WORD_END = String.raw`(?![\p{L}\p{N}])`;

// Uzbek spells the apostrophe of "ro'yxatida" several ways, and Uzum itself writes "röyxatida".
const APOSTROPHE = "['‘’ʻʼ`]";

interface BannerPattern {
  kind: MotivationKind;
  locale: "uz" | "ru";
  regex: RegExp;
}

function bannerPattern(kind: MotivationKind, locale: "uz" | "ru", source: string): BannerPattern {
  return { kind, locale, regex: new RegExp(source, "giu") };
}

// NOTE: no captured Russian page shows the in-carts or in-wishlists line, so their Russian wording is
// unknown and Russian text yields only weekly buyers.
const PATTERNS: BannerPattern[] = [
  // The verified form: "Bu haftada 305 kishi sotib oldi". "Bu hafta 40 ..." appears in clone UIs.
  bannerPattern(
    "weekly_buyers",
    "uz",
    String.raw`${WORD_START}bu\s+hafta(?:da)?\s+${COUNT}\s+kishi\s+sotib\s+oldi${WORD_END}`,
  ),
  // "45 kishi bu hafta sotib oldi", "313 kishi shu hafta sotib oldi" and the bare "1 234 kishi sotib oldi".
  // NOTE: the bare forms here and in Russian are read as weekly buyers because the weekly banner is the
  // only known Uzum text with this wording, but no captured Uzum page shows a bare form.
  bannerPattern(
    "weekly_buyers",
    "uz",
    String.raw`${COUNT}\s+kishi\s+(?:(?:bu|shu)\s+hafta(?:da)?\s+)?sotib\s+oldi${WORD_END}`,
  ),
  // "533 человека купили на этой неделе", "1 человек купил на этой неделе", "1,2 тыс. человек купили".
  bannerPattern(
    "weekly_buyers",
    "ru",
    String.raw`${COUNT}\s+человека?\s+купил[аи]?(?:\s+на\s+этой\s+неделе)?${WORD_END}`,
  ),
  bannerPattern("in_carts", "uz", String.raw`${COUNT}\s+ta\s+insonning\s+savatida${WORD_END}`),
  bannerPattern(
    "in_wishlists",
    "uz",
    String.raw`${COUNT}\s+ta\s+insonning\s+xohishlari\s+r[oö]${APOSTROPHE}?yxatida${WORD_END}`,
  ),
];

/**
 * Parses the first banner in `text`, which may be the banner alone or a longer page text around it.
 *
 * Returns null when no banner is found, and a number without banner wording ("1000+ buyurtma") is
 * not a banner. A banner that prints 0 yields count 0, because the text then states zero people.
 * The locale is only a hint: both languages are always tried, and the hint picks the first match
 * in its language when the text contains banners in both.
 */
export function parseMotivationText(text: string, locale?: "uz" | "ru"): MotivationReading | null {
  const matches = findMotivationMatches(text);
  const preferred = matches.find((match) => match.locale === locale) ?? matches[0];
  if (!preferred) return null;

  return { kind: preferred.kind, count: preferred.count };
}

/** Finds every banner in `text`, in order of position. Of overlapping matches, the one that starts first is kept. */
export function findMotivationMatches(text: string): MotivationMatch[] {
  if (typeof text !== "string" || !/\d/.test(text)) return [];

  const candidates: MotivationMatch[] = [];
  for (const pattern of PATTERNS) {
    for (const match of text.matchAll(pattern.regex)) {
      const count = countFromGroups(match[1], match[2], match[3]);
      if (count === null) continue;

      candidates.push({
        kind: pattern.kind,
        count,
        text: match[0],
        index: match.index ?? 0,
        locale: pattern.locale,
      });
    }
  }

  // "Bu haftada 305 kishi sotib oldi" also contains the bare "305 kishi sotib oldi", so keep the earlier, longer one.
  candidates.sort((a, b) => a.index - b.index || b.text.length - a.text.length);
  const matches: MotivationMatch[] = [];
  let coveredUntil = 0;
  for (const candidate of candidates) {
    if (candidate.index < coveredUntil) continue;
    matches.push(candidate);
    coveredUntil = candidate.index + candidate.text.length;
  }

  return matches;
}

function countFromGroups(digits: string, fraction: string | undefined, thousandsWord: string | undefined): number | null {
  const whole = Number(digits.replace(/[ \u00a0\u202f]/g, ""));
  const count = thousandsWord ? Math.round(Number(`${whole}.${fraction ?? "0"}`) * 1000) : whole;

  return Number.isSafeInteger(count) ? count : null;
}
