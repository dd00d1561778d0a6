import { distinctFindings, isMotivationAction, type BannerFinding } from "./banner-finding";
import { findMotivationMatches, parseMotivationText } from "./motivation";

// The `window.__NUXT__` payload is a JS function call, `(function(a,b,...){return {...}}(v1,v2,...))`,
// in which strings used more than once are passed as arguments and referenced by parameter name
// (`text:cE`). It is read with a tokenizer instead of being evaluated.

const STRING_TOKEN = 1;
const WORD_TOKEN = 2;
const PUNCTUATOR_TOKEN = 3;

/**
 * Tokens of a JS source as parallel arrays of kind and [start, end) offsets, which avoids allocating
 * an object for each of the about 30,000 tokens in a product page payload.
 */
interface TokenList {
  source: string;
  length: number;
  kinds: Uint8Array;
  starts: Uint32Array;
  ends: Uint32Array;
}

const FIELD_KEYS = ["text", "type", "__typename"] as const;
type FieldKey = (typeof FIELD_KEYS)[number];

/** Token indexes of the fields of an object literal that may be a MotivationAction, -1 when absent. */
type ActionCandidate = Record<FieldKey, number>;

export function findMotivationInNuxtPayload(html: string): BannerFinding[] {
  const payload = nuxtPayloadSource(html);
  if (payload === null) return [];

  // Tokenizing is the costly step, so a payload that can hold no banner is left alone.
  const mayHoldAction = payload.includes("MotivationAction") || payload.includes("MOTIVATION");
  if (!mayHoldAction && findMotivationMatches(payload).length === 0) return [];
  const tokens = tokenizeJs(payload);

  const findings: BannerFinding[] = [];
  if (mayHoldAction) {
    const resolve = bindIifeArguments(tokens);
    for (const candidate of collectActionCandidates(tokens)) {
      if (!isMotivationAction(resolve(candidate.__typename), resolve(candidate.type))) continue;
      const text = resolve(candidate.text);
      const reading = text === undefined ? null : parseMotivationText(text);
      if (text !== undefined && reading) findings.push({ text: text.trim(), reading, origin: "embedded" });
    }
    if (findings.length > 0) return distinctFindings(findings);
  }

  // No MotivationAction could be resolved, so take any string literal that is a whole banner.
  // Requiring the whole string keeps product descriptions that merely mention buyers out.
  for (let index = 0; index < tokens.length; index++) {
    if (tokens.kinds[index] !== STRING_TOKEN) continue;
    const text = decodeJsString(tokenText(tokens, index)).trim();
    const match = findMotivationMatches(text)[0];
    if (match && match.text.length === text.length) {
      findings.push({ text, reading: { kind: match.kind, count: match.count }, origin: "embedded" });
    }
  }

  return distinctFindings(findings);
}

/** Returns the source from `window.__NUXT__` to the end of its script element, or null if no script sets it. */
function nuxtPayloadSource(html: string): string | null {
  const marker = "window.__NUXT__";
  let markerAt = html.indexOf(marker);
  let scriptFrom = 0;

  // Both searches only move forward, so pages with many scripts or stray markers stay linear.
  while (markerAt !== -1) {
    const openAt = html.indexOf("<script", scriptFrom);
    const contentStart = openAt === -1 ? 0 : html.indexOf(">", openAt) + 1;
    if (contentStart === 0) return null;
    const closeAt = html.indexOf("</script", contentStart);
    const contentEnd = closeAt === -1 ? html.length : closeAt;

    if (markerAt < contentStart) markerAt = html.indexOf(marker, contentStart);
    if (markerAt !== -1 && markerAt < contentEnd) return html.slice(markerAt, contentEnd);
    scriptFrom = contentEnd;
  }

  return null;
}

function tokenizeJs(source: string): TokenList {
  const kinds = new Uint8Array(source.length);
  const starts = new Uint32Array(source.length);
  const ends = new Uint32Array(source.length);
  let length = 0;
  let i = 0;

  while (i < source.length) {
    const code = source.charCodeAt(i);
    if (code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d) {
      i++;
      continue;
    }

    let end = i + 1;
    let kind = PUNCTUATOR_TOKEN;
    if (code === 0x22 || code === 0x27 || code === 0x60) {
      kind = STRING_TOKEN;
      end = closingQuoteIndex(source, i) + 1;
    } else if (isWordCode(code)) {
      kind = WORD_TOKEN;
      while (end < source.length && isWordCode(source.charCodeAt(end))) end++;
    }

    kinds[length] = kind;
    starts[length] = i;
    ends[length] = end;
    length++;
    i = end;
  }

  return { source, length, kinds, starts, ends };
}

/** Returns the index of the quote that closes the string opened at `openAt`, or the last index. */
function closingQuoteIndex(source: string, openAt: number): number {
  const quote = source[openAt];
  let from = openAt + 1;

  for (;;) {
    const end = source.indexOf(quote, from);
    if (end === -1) return source.length - 1;

    let backslashes = 0;
    while (source.charCodeAt(end - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return end;
    from = end + 1;
  }
}

/** Identifier, number and member-access characters: `A-Z a-z 0-9 _ $ .`. */
function isWordCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24 ||
    code === 0x2e
  );
}

function tokenText(tokens: TokenList, index: number): string {
  return tokens.source.slice(tokens.starts[index], tokens.ends[index]);
}

/** Returns the punctuator character of token `index`, or "" when it is a string or word. */
function punctuatorAt(tokens: TokenList, index: number): string {
  return tokens.kinds[index] === PUNCTUATOR_TOKEN ? tokens.source[tokens.starts[index]] : "";
}

/**
 * Walks the payload's object literals and keeps those with `text` plus `__typename` or `type`.
 * Values are kept as token indexes because they may be parameter names that resolve only later.
 */
function collectActionCandidates(tokens: TokenList): ActionCandidate[] {
  interface Frame extends ActionCandidate {
    isObject: boolean;
    key?: FieldKey | "other";
    afterColon: boolean;
  }
  const stack: Frame[] = [];
  const candidates: ActionCandidate[] = [];

  for (let index = 0; index < tokens.length; index++) {
    const frame = stack[stack.length - 1];
    const punctuator = punctuatorAt(tokens, index);

    if (punctuator === "{" || punctuator === "[" || punctuator === "(") {
      if (frame) resetKey(frame);
      stack.push({ isObject: punctuator === "{", afterColon: false, text: -1, type: -1, __typename: -1 });
    } else if (punctuator === "}" || punctuator === "]" || punctuator === ")") {
      const closed = stack.pop();
      if (closed && closed.text !== -1 && (closed.__typename !== -1 || closed.type !== -1)) {
        candidates.push({ text: closed.text, type: closed.type, __typename: closed.__typename });
      }
    } else if (punctuator === ":") {
      if (frame?.key !== undefined) frame.afterColon = true;
    } else if (punctuator === "," || punctuator === ";") {
      if (frame) resetKey(frame);
    } else if (punctuator === "" && frame?.isObject) {
      if (!frame.afterColon) {
        frame.key = fieldKeyAt(tokens, index);
      } else {
        if (frame.key !== undefined && frame.key !== "other") frame[frame.key] = index;
        resetKey(frame);
      }
    }
  }

  return candidates;
}

function resetKey(frame: { key?: string; afterColon: boolean }): void {
  frame.key = undefined;
  frame.afterColon = false;
}

/** Names a key token (`text`, `"text"`) when it is one of FIELD_KEYS, without copying it out of the source. */
function fieldKeyAt(tokens: TokenList, index: number): FieldKey | "other" {
  const quoted = tokens.kinds[index] === STRING_TOKEN;
  const start = tokens.starts[index] + (quoted ? 1 : 0);
  const end = tokens.ends[index] - (quoted ? 1 : 0);

  return FIELD_KEYS.find((key) => key.length === end - start && tokens.source.startsWith(key, start)) ?? "other";
}

/**
 * Pairs the IIFE's parameter names with its arguments and returns a resolver from a value token
 * to its string. Without an IIFE, only string literals resolve.
 */
function bindIifeArguments(tokens: TokenList): (index: number) => string | undefined {
  const argumentByName = new Map<string, number>();

  // `window.__NUXT__=(function(` puts the keyword within the first few tokens.
  let functionAt = -1;
  for (let index = 0; index < Math.min(tokens.length, 8); index++) {
    if (tokens.kinds[index] === WORD_TOKEN && tokenText(tokens, index) === "function") functionAt = index;
  }

  if (functionAt !== -1 && punctuatorAt(tokens, functionAt + 1) === "(") {
    const names: string[] = [];
    let index = functionAt + 2;
    for (; index < tokens.length && punctuatorAt(tokens, index) !== ")"; index++) {
      if (tokens.kinds[index] === WORD_TOKEN) names.push(tokenText(tokens, index));
    }

    // Skip the function body, then read the call's arguments that follow it.
    const bodyEnd = punctuatorAt(tokens, index + 1) === "{" ? matchingClose(tokens, index + 1) : -1;
    let callAt = bodyEnd + 1;
    if (punctuatorAt(tokens, callAt) === ")") callAt++;
    if (bodyEnd !== -1 && punctuatorAt(tokens, callAt) === "(") {
      singleTokenArguments(tokens, callAt).forEach((argumentIndex, position) => {
        if (position < names.length && argumentIndex !== -1) argumentByName.set(names[position], argumentIndex);
      });
    }
  }

  return (index) => {
    if (index === -1) return undefined;
    const valueIndex = tokens.kinds[index] === WORD_TOKEN ? argumentByName.get(tokenText(tokens, index)) : index;
    if (valueIndex === undefined || tokens.kinds[valueIndex] !== STRING_TOKEN) return undefined;

    return decodeJsString(tokenText(tokens, valueIndex));
  };
}

/** Returns the index of the bracket closing the one at `openAt`, or -1 if the input ends first. */
function matchingClose(tokens: TokenList, openAt: number): number {
  let depth = 0;
  for (let index = openAt; index < tokens.length; index++) {
    const punctuator = punctuatorAt(tokens, index);
    if (punctuator === "{" || punctuator === "[" || punctuator === "(") depth++;
    else if ((punctuator === "}" || punctuator === "]" || punctuator === ")") && --depth === 0) return index;
  }
  return -1;
}

/** Lists the arguments of the call opened at `openAt`: the token index of a one-token argument, else -1. */
function singleTokenArguments(tokens: TokenList, openAt: number): number[] {
  const argumentIndexes: number[] = [];
  let depth = 0;
  let firstIndex = -1;
  let tokenCount = 0;

  for (let index = openAt + 1; index < tokens.length; index++) {
    const punctuator = punctuatorAt(tokens, index);
    if (depth === 0 && (punctuator === "," || punctuator === ")" || punctuator === "]" || punctuator === "}")) {
      argumentIndexes.push(tokenCount === 1 ? firstIndex : -1);
      if (punctuator !== ",") break;
      tokenCount = 0;
      continue;
    }

    if (punctuator === "{" || punctuator === "[" || punctuator === "(") depth++;
    else if (punctuator === "}" || punctuator === "]" || punctuator === ")") depth--;
    if (tokenCount++ === 0) firstIndex = index;
  }

  return argumentIndexes;
}

function decodeJsString(literal: string): string {
  const quote = literal[0];
  const body = literal.length > 1 && literal.endsWith(quote) ? literal.slice(1, -1) : literal.slice(1);
  if (!body.includes("\\")) return body;

  return body.replace(
    /\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])/g,
    (_escape, code: string) => {
      if (code.startsWith("u{")) return String.fromCodePoint(Math.min(parseInt(code.slice(2, -1), 16), 0x10ffff));
      if (code.length > 1 && (code[0] === "u" || code[0] === "x")) return String.fromCharCode(parseInt(code.slice(1), 16));
      return JS_ESCAPES[code] ?? code;
    },
  );
}

const JS_ESCAPES: Record<string, string> = {
  n: "\n",
  r: "\r",
  t: "\t",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
  "\n": "",
  "\r\n": "",
  "\r": "",
};
