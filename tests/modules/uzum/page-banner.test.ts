import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import {
  findMotivationInHtml,
  findMotivationInProductPage,
  pickSignal,
  pickWeeklyBuyers,
} from "../../../src/modules/uzum/page-banner";
import type { BannerFinding } from "../../../src/modules/uzum/page-banner";

const repoRoot = path.resolve(import.meta.dir, "../../..");
const uzumFixturesDir = path.resolve(repoRoot, "../shared/fixtures/uzum");
const hasUzumFixtures = existsSync(uzumFixturesDir);
if (!hasUzumFixtures) {
  console.warn(`page-banner.test.ts: skipping the real-page checks because ${uzumFixturesDir} does not exist`);
}
const inCartsPagePath = path.join(repoRoot, "tests/fixtures/uzum/product-page-in-carts.uz.html");

const weeklyBuyers305: BannerFinding = {
  text: "Bu haftada 305 kishi sotib oldi",
  reading: { kind: "weekly_buyers", count: 305 },
  origin: "actions",
};

function readUzumFixture(name: string): string {
  return readFileSync(path.join(uzumFixturesDir, name), "utf8");
}

/** Builds a page in the shape of Uzum's SSR HTML: a DOM banner line and a `window.__NUXT__` IIFE payload. */
function productPageHtml(options: { domBanner?: string; payload?: string }): string {
  const banner = options.domBanner
    ? `<div class="banner"><span class="BodyMRegular label" data-test-id="text__product-banner"><!--[-->\n ${options.domBanner}\n<!--]--></span></div>`
    : "";
  const script = options.payload ? `<script>window.__NUXT__=${options.payload};</script>` : "";

  return `<!DOCTYPE html><html><body><div id="__nuxt"><span>1000+ buyurtma</span>${banner}</div>${script}</body></html>`;
}

describe("findMotivationInProductPage", () => {
  describe.skipIf(!hasUzumFixtures)("graphql-productpage-1552187.uz.json", () => {
    const fileData = hasUzumFixtures ? JSON.parse(readUzumFixture("graphql-productpage-1552187.uz.json")) : {};
    const productPage = fileData["pdp:get-product"];

    test("reads 305 weekly buyers", () => {
      expect(findMotivationInProductPage(fileData)).toEqual([weeklyBuyers305]);
    });

    test("reads the productPage object itself", () => {
      expect(findMotivationInProductPage(productPage)).toEqual([weeklyBuyers305]);
    });

    test("reads GraphQL response wrappers", () => {
      expect(findMotivationInProductPage({ productPage })).toEqual([weeklyBuyers305]);
      expect(findMotivationInProductPage({ data: { productPage } })).toEqual([weeklyBuyers305]);
    });
  });

  test("reads in-carts without weekly buyers", () => {
    const findings = findMotivationInProductPage({
      productPage: { actions: [{ __typename: "MotivationAction", type: "MOTIVATION", text: "3 ta insonning savatida" }] },
    });

    expect(pickWeeklyBuyers(findings)).toBeNull();
    expect(pickSignal(findings, "in_carts")).toEqual({
      text: "3 ta insonning savatida",
      reading: { kind: "in_carts", count: 3 },
      origin: "actions",
    });
  });

  test("returns every distinct banner", () => {
    const findings = findMotivationInProductPage({
      actions: [
        { __typename: "MotivationAction", text: "Bu haftada 12 kishi sotib oldi" },
        { type: "MOTIVATION", text: " 8 ta insonning xohishlari röyxatida " },
        { __typename: "MotivationAction", text: "Bu haftada 12 kishi sotib oldi" },
      ],
    });

    expect(findings).toEqual([
      { text: "Bu haftada 12 kishi sotib oldi", reading: { kind: "weekly_buyers", count: 12 }, origin: "actions" },
      { text: "8 ta insonning xohishlari röyxatida", reading: { kind: "in_wishlists", count: 8 }, origin: "actions" },
    ]);
  });

  test("skips other action types", () => {
    const findings = findMotivationInProductPage({
      actions: [{ __typename: "PromoAction", type: "PROMO", text: "Bu haftada 5 kishi sotib oldi" }],
    });

    expect(findings).toEqual([]);
  });

  test("skips action text that is no banner", () => {
    const findings = findMotivationInProductPage({
      actions: [{ __typename: "MotivationAction", type: "MOTIVATION", text: "1000+ buyurtma" }],
    });

    expect(findings).toEqual([]);
  });

  test("returns [] for odd shapes", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const oddInputs: unknown[] = [
      null,
      undefined,
      42,
      "Bu haftada 5 kishi sotib oldi",
      [],
      [{ actions: [{ __typename: "MotivationAction", text: "Bu haftada 5 kishi sotib oldi" }] }],
      { actions: "Bu haftada 5 kishi sotib oldi" },
      { actions: [null, 1, "text", [], { __typename: "MotivationAction" }, { __typename: "MotivationAction", text: 5 }] },
      { productPage: null },
      cyclic,
    ];

    for (const input of oddInputs) {
      expect(findMotivationInProductPage(input)).toEqual([]);
    }
  });
});

describe("findMotivationInHtml", () => {
  describe.skipIf(!hasUzumFixtures)("product-page-1552187.uz.html", () => {
    const html = hasUzumFixtures ? readUzumFixture("product-page-1552187.uz.html") : "";

    test("reads 305 weekly buyers from the payload", () => {
      expect(findMotivationInHtml(html)).toEqual([{ ...weeklyBuyers305, origin: "embedded" }]);
    });

    test("reads 305 weekly buyers from the DOM", () => {
      const withoutPayload = html.replace("window.__NUXT__=(", "window.__REMOVED__=(");

      expect(findMotivationInHtml(withoutPayload)).toEqual([{ ...weeklyBuyers305, origin: "dom" }]);
    });
  });

  describe.skipIf(!hasUzumFixtures)("category-page-10091-error-popular.ru.html", () => {
    test("finds no banner", () => {
      expect(findMotivationInHtml(readUzumFixture("category-page-10091-error-popular.ru.html"))).toEqual([]);
    });
  });

  describe("product-page-in-carts.uz.html", () => {
    const html = readFileSync(inCartsPagePath, "utf8");
    const inCarts3 = { text: "3 ta insonning savatida", reading: { kind: "in_carts", count: 3 } } as const;

    test("reads in-carts from the payload", () => {
      const findings = findMotivationInHtml(html);

      expect(findings).toEqual([{ ...inCarts3, origin: "embedded" }]);
      expect(pickWeeklyBuyers(findings)).toBeNull();
      expect(pickSignal(findings, "in_carts")?.reading.count).toBe(3);
    });

    test("reads in-carts from the DOM", () => {
      const findings = findMotivationInHtml(html.replace("window.__NUXT__=(", "window.__REMOVED__=("));

      expect(findings).toEqual([{ ...inCarts3, origin: "dom" }]);
      expect(pickWeeklyBuyers(findings)).toBeNull();
    });
  });

  test("returns [] without a banner", () => {
    const html = productPageHtml({
      domBanner: "127 dona xarid qilish mumkin",
      payload: '(function(a){return {data:{title:a,text:"4.7 (159 sharh)",__typename:"Product"}}}("Krossovka"))',
    });

    expect(findMotivationInHtml(html)).toEqual([]);
  });

  test("prefers the payload over the DOM", () => {
    const html = productPageHtml({
      domBanner: "Bu haftada 300 kishi sotib oldi",
      payload: '(function(a){return {actions:[{type:"MOTIVATION",text:a,__typename:"MotivationAction"}]}}("Bu haftada 305 kishi sotib oldi"))',
    });

    expect(findMotivationInHtml(html)).toEqual([{ ...weeklyBuyers305, origin: "embedded" }]);
  });

  test("resolves parameters and escapes", () => {
    const html = productPageHtml({
      payload:
        '(function(a,b,c){return {actions:[{text:c,type:b,__typename:a}]}}("MotivationAction","MOTIVATION","Bu\\u0020haftada 7 kishi\\tsotib oldi"))',
    });

    expect(findMotivationInHtml(html)).toEqual([
      { text: "Bu haftada 7 kishi\tsotib oldi", reading: { kind: "weekly_buyers", count: 7 }, origin: "embedded" },
    ]);
  });

  test("reads whole-banner strings without MotivationAction", () => {
    const html = productPageHtml({
      payload: '(function(a){return {banner:{label:a},note:"Bu haftada 9 kishi sotib oldi, shoshiling!"}}("8 ta insonning savatida"))',
    });

    expect(findMotivationInHtml(html)).toEqual([
      { text: "8 ta insonning savatida", reading: { kind: "in_carts", count: 8 }, origin: "embedded" },
    ]);
  });

  test("decodes entities in the DOM", () => {
    const nbsp = findMotivationInHtml(productPageHtml({ domBanner: "Bu haftada 1&nbsp;234 kishi sotib oldi" }));
    const narrowNbsp = findMotivationInHtml(productPageHtml({ domBanner: "1&#x202F;200 человек купили на&#32;этой неделе" }));

    expect(nbsp.map((finding) => finding.reading)).toEqual([{ kind: "weekly_buyers", count: 1234 }]);
    expect(narrowNbsp.map((finding) => finding.reading)).toEqual([{ kind: "weekly_buyers", count: 1200 }]);
  });

  test("keeps digits of separate elements apart", () => {
    const html = "<div><span>5</span> <span>305 kishi sotib oldi</span></div>";

    expect(findMotivationInHtml(html).map((finding) => finding.reading.count)).toEqual([305]);
  });

  test("ignores text inside scripts and comments", () => {
    const html =
      '<body><script>var label = "Bu haftada 9 kishi sotib oldi";</script><!-- 3 ta insonning savatida --><p>Salom</p></body>';

    expect(findMotivationInHtml(html)).toEqual([]);
  });

  test("lists DOM banners of each kind once", () => {
    const html =
      "<div>Bu haftada 4 kishi sotib oldi</div><div>Bu haftada 4 kishi sotib oldi</div><div>2 ta insonning savatida</div>";

    expect(findMotivationInHtml(html).map((finding) => finding.reading)).toEqual([
      { kind: "weekly_buyers", count: 4 },
      { kind: "in_carts", count: 2 },
    ]);
  });

  test("returns [] for garbage", () => {
    const garbage = [
      "",
      "<<<>>>",
      "<script>",
      "<!--",
      "window.__NUXT__=(function(",
      '<script>window.__NUXT__=(function(a){return {actions:[{text:a,__typename:"MotivationAction"}]}}(',
      '<script>window.__NUXT__=(function(a){return {actions:[{text:"unterminated',
      "\u0000\uffff\ud800".repeat(1000),
      "{[(".repeat(10_000),
      null as unknown as string,
      42 as unknown as string,
    ];

    for (const html of garbage) {
      expect(findMotivationInHtml(html)).toEqual([]);
    }
  });
});

describe("pickSignal", () => {
  const findings: BannerFinding[] = [
    { text: "2 ta insonning savatida", reading: { kind: "in_carts", count: 2 }, origin: "dom" },
    { text: "Bu haftada 4 kishi sotib oldi", reading: { kind: "weekly_buyers", count: 4 }, origin: "dom" },
  ];

  test("picks the finding of a kind", () => {
    expect(pickSignal(findings, "in_carts")).toBe(findings[0]);
    expect(pickWeeklyBuyers(findings)).toBe(findings[1]);
  });

  test("returns null for a missing kind", () => {
    expect(pickSignal(findings, "in_wishlists")).toBeNull();
    expect(pickWeeklyBuyers([])).toBeNull();
  });
});
