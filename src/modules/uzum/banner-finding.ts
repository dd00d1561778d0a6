/** The banner finding type and helpers that the GraphQL, HTML and payload readers share. */
import type { MotivationReading } from "./motivation";

/**
 * Source of a banner: `actions` is the GraphQL `productPage.actions` list, `embedded` the
 * `window.__NUXT__` payload inside the HTML, and `dom` the rendered page text.
 */
export type BannerOrigin = "actions" | "embedded" | "dom";

/** One banner found on a product page: its raw text, what it counts and where it was read. */
export interface BannerFinding {
  text: string;
  reading: MotivationReading;
  origin: BannerOrigin;
}

/** Tells whether an action object is a motivation banner, by its GraphQL typename or its action type. */
export function isMotivationAction(typename: unknown, type: unknown): boolean {
  return typename === "MotivationAction" || type === "MOTIVATION";
}

/** Drops repeats of the same kind and count, keeping the first. */
export function distinctFindings(findings: BannerFinding[]): BannerFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.reading.kind}:${finding.reading.count}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
