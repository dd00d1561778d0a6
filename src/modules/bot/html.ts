/** Longest text Telegram accepts in one message, counted after entity parsing. */
export const maxMessageLength = 4096;

/** Escapes outside text (product titles, shop names, error reasons) for Telegram's HTML parse mode. */
export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Shortens outside text to `maxLength` characters before escaping, so one line never fills a message. */
export function clip(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/**
 * Splits a message into parts of at most `limit` characters at line boundaries. Callers build
 * messages so that no HTML tag spans two lines; a single line longer than the limit is cut where
 * it must be, which could break a tag inside it, so such lines are avoided by `clip`.
 */
export function splitMessage(text: string, limit = maxMessageLength): string[] {
  const parts: string[] = [];
  let current = "";

  for (const line of text.split("\n")) {
    const candidate = current === "" ? line : `${current}\n${line}`;
    if (candidate.length <= limit) {
      current = candidate;
      continue;
    }

    if (current !== "") parts.push(current);
    current = line;
    while (current.length > limit) {
      parts.push(current.slice(0, limit));
      current = current.slice(limit);
    }
  }
  if (current.trim() !== "" || parts.length === 0) parts.push(current);
  return parts;
}
