import { describe, expect, test } from "bun:test";
import { explainFromComponents, type ScoreFacts } from "../../../src/modules/ai/explain-rules";
import { computeScore } from "../../../src/modules/uzum/score";

const breakdown = computeScore({ weeklyBuyers: 120, ordersQuantity: 5400, rating: 4.8, mainStockType: "FBS" });

const facts: ScoreFacts = {
  title: "Kronshteyn",
  score: breakdown.score,
  scoreVersion: 1,
  components: breakdown.components,
  weeklyBuyersUsed: 120,
  weeklyBasis: "last_known",
  weeklyDate: "2026-12-01",
  ordersQuantity: 5400,
  rating: 4.8,
  sellPriceSom: 150_000,
  discountPercent: 10,
};

describe("explainFromComponents", () => {
  test("names the largest term and its share", () => {
    const text = explainFromComponents(facts, "en");
    const weeklyShare = Math.round((breakdown.components.weekly / breakdown.score) * 100);
    expect(text).toContain(`Score: ${breakdown.score.toFixed(2)}`);
    expect(text).toContain(`weekly buyers: ${breakdown.components.weekly.toFixed(2)} (${weeklyShare}%)`);
    expect(text).toContain("Total orders: 5\u202f400");
    expect(text).toContain("(FBS)");
    expect(text).toContain("from 2026-12-01");
  });

  test("writes each language", () => {
    expect(explainFromComponents(facts, "uz")).toContain("Haftalik xaridorlar: 120");
    expect(explainFromComponents(facts, "ru")).toContain("Покупатели за неделю: 120");
    expect(explainFromComponents(facts, "en")).toContain("Weekly buyers: 120");
  });

  test("warns when weekly buyers were assumed zero", () => {
    const text = explainFromComponents({ ...facts, weeklyBasis: "assumed_zero", weeklyBuyersUsed: 0 }, "en");
    expect(text).toContain("0 was used");
  });

  test("gives the same text for the same facts", () => {
    expect(explainFromComponents(facts, "ru")).toBe(explainFromComponents({ ...facts }, "ru"));
  });
});
