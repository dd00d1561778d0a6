import { describe, expect, test } from "bun:test";
import { clip, escapeHtml, splitMessage } from "../../../src/modules/bot/html";

describe("escapeHtml", () => {
  test("escapes tags, ampersands and quotes", () => {
    expect(escapeHtml(`Krem <SPF 50> & "niqob"`)).toBe("Krem &lt;SPF 50&gt; &amp; &quot;niqob&quot;");
  });

  test("escapes an entity as text", () => {
    expect(escapeHtml("&lt;")).toBe("&amp;lt;");
  });
});

describe("clip", () => {
  test("keeps short text", () => {
    expect(clip("abc", 3)).toBe("abc");
  });

  test("ends long text with an ellipsis", () => {
    expect(clip("abcdef", 4)).toBe("abc…");
  });
});

describe("splitMessage", () => {
  test("keeps a short message whole", () => {
    expect(splitMessage("a\nb", 10)).toEqual(["a\nb"]);
  });

  test("splits at line boundaries", () => {
    expect(splitMessage("aaaa\nbbbb\ncccc", 9)).toEqual(["aaaa\nbbbb", "cccc"]);
  });

  test("cuts a line longer than the limit", () => {
    expect(splitMessage("abcdefghij\nk", 4)).toEqual(["abcd", "efgh", "ij\nk"]);
  });

  test("every part fits the limit", () => {
    const text = Array.from({ length: 500 }, (_, index) => `line ${index} ${"y".repeat(index % 50)}`).join("\n");
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.length <= 4096)).toBe(true);
    expect(parts.join("\n")).toBe(text);
  });
});
