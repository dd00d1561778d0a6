/**
 * Extraction of the motivation banner from the two cheap sources of a product page: the GraphQL
 * `productPage` response and the server-rendered HTML. Input of an unexpected shape yields [].
 */
import { distinctFindings, isMotivationAction, type BannerFinding } from "./banner-finding";
import { findMotivationMatches, parseMotivationText, type MotivationKind } from "./motivation";
import { findMotivationInNuxtPayload } from "./nuxt-payload";

export type { BannerFinding, BannerOrigin } from "./banner-finding";

/** Returns the weekly buyers finding, or null when the page shows none. */
export function pickWeeklyBuyers(findings: BannerFinding[]): BannerFinding | null {
  return pickSignal(findings, "weekly_buyers");
}

/** Returns the first finding of `kind`, or null when there is none. */
export function pickSignal(findings: BannerFinding[], kind: MotivationKind): BannerFinding | null {
  return findings.find((finding) => finding.reading.kind === kind) ?? null;
}

// `{ data: { productPage } }` is the deepest wrapper a caller passes, so three levels suffice.
// The limit also stops the walk on cyclic objects.
const MAX_WRAPPER_DEPTH = 3;

/**
 * Reads the MotivationAction banners of a GraphQL `productPage` response. Accepts the productPage object
 * itself or an object that wraps it, such as `{ productPage }`, `{ data: { productPage } }` or the
 * Nuxt key `{ "pdp:get-product": ... }`.
 */
export function findMotivationInProductPage(data: unknown): BannerFinding[] {
  const findings: BannerFinding[] = [];

  for (const action of collectActions(data, 0)) {
    if (!isRecord(action) || !isMotivationAction(action.__typename, action.type)) continue;
    if (typeof action.text !== "string") continue;

    const reading = parseMotivationText(action.text);
    if (reading) findings.push({ text: action.text.trim(), reading, origin: "actions" });
  }

  return distinctFindings(findings);
}

function collectActions(value: unknown, depth: number): unknown[] {
  if (!isRecord(value) || depth > MAX_WRAPPER_DEPTH) return [];
  if (Array.isArray(value.actions)) return value.actions;

  return Object.values(value).flatMap((child) => collectActions(child, depth + 1));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Finds the banners of a server-rendered product page. The `window.__NUXT__` payload is the data
 * the page was rendered from, so the visible text is scanned only when the payload yields nothing.
 */
export function findMotivationInHtml(html: string): BannerFinding[] {
  if (typeof html !== "string" || html.length === 0) return [];

  const embedded = findMotivationInNuxtPayload(html);
  return embedded.length > 0 ? embedded : findMotivationInDomText(html);
}

function findMotivationInDomText(html: string): BannerFinding[] {
  const findings = findMotivationMatches(htmlToText(html)).map((match) => ({
    text: match.text.replace(/[\t\n\r ]+/g, " "),
    reading: { kind: match.kind, count: match.count },
    origin: "dom" as const,
  }));

  return distinctFindings(findings);
}

/**
 * Converts HTML to its visible text: drops comments and the bodies of script, style and template
 * elements, and puts a line break in place of each tag. A thousands separator is never a line break,
 * so digits in neighbouring elements cannot join into one number.
 *
 * Runs in one pass with `indexOf`, because lazy regexes such as `<!--[\s\S]*?-->` rescan the rest
 * of the input for every unclosed opener and turn quadratic on malformed pages.
 */
function htmlToText(html: string): string {
  const parts: string[] = [];
  let i = 0;

  while (i < html.length) {
    const tagStart = html.indexOf("<", i);
    if (tagStart === -1) break;
    parts.push(html.slice(i, tagStart), "\n");

    if (html.startsWith("<!--", tagStart)) {
      const commentEnd = html.indexOf("-->", tagStart + 4);
      i = commentEnd === -1 ? html.length : commentEnd + 3;
      continue;
    }

    const tagEnd = html.indexOf(">", tagStart + 1);
    if (tagEnd === -1) {
      i = tagStart;
      break;
    }
    i = tagEnd + 1;

    // The body of a raw-text element runs to its closing tag, or to the end of the input without one.
    const rawTextElement = /^<(script|style|template)\b/i.exec(html.slice(tagStart, tagStart + 10))?.[1];
    if (rawTextElement) {
      const closing = new RegExp(`</${rawTextElement}`, "gi");
      closing.lastIndex = i;
      i = closing.exec(html)?.index ?? html.length;
    }
  }
  parts.push(html.slice(i));

  return decodeHtmlEntities(parts.join(""));
}

const NAMED_ENTITIES = new Map([
  ["amp", "&"],
  ["lt", "<"],
  ["gt", ">"],
  ["quot", '"'],
  ["apos", "'"],
  ["nbsp", "\u00a0"],
]);

function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (entity, name: string) => {
    if (name[0] !== "#") return NAMED_ENTITIES.get(name) ?? entity;

    const codePoint = name[1] === "x" || name[1] === "X" ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
  });
}
