import { describe, expect, test } from "bun:test";
import { evaluateCondition, type ConditionInput, type Figures } from "../../../src/modules/alerts/conditions";
import { quietUntil } from "../../../src/modules/alerts/quiet-hours";

const figures = (overrides: Partial<Figures> = {}): Figures => ({ sellPriceSom: 100_000, stockUnits: 20, weeklyBuyers: 50, score: 4, ...overrides });

function input(previous: Partial<Figures> | null, current: Partial<Figures>, averages: Partial<ConditionInput> = {}): ConditionInput {
  return { previous: previous ? figures(previous) : null, current: figures(current), weeklyBuyersAverage: null, scoreAverage: null, ...averages };
}

describe("price conditions", () => {
  test("drop holds at the threshold", () => {
    expect(evaluateCondition("PRICE_DROP", 10, input({}, { sellPriceSom: 90_000 }), undefined)).toEqual({ holds: true, before: 100_000, after: 90_000 });
    expect(evaluateCondition("PRICE_DROP", 10, input({}, { sellPriceSom: 90_001 }), undefined).holds).toBe(false);
  });

  test("firing drop keeps its reference", () => {
    const state = { isFiring: true, reference: 100_000 };
    // The previous snapshot already has the low price; the reference is the price before the drop.
    const result = evaluateCondition("PRICE_DROP", 10, input({ sellPriceSom: 85_000 }, { sellPriceSom: 85_000 }), state);
    expect(result).toEqual({ holds: true, before: 100_000, after: 85_000 });
    expect(evaluateCondition("PRICE_DROP", 10, input({ sellPriceSom: 85_000 }, { sellPriceSom: 95_000 }), state).holds).toBe(false);
  });

  test("rise holds above the threshold", () => {
    expect(evaluateCondition("PRICE_RISE", 5, input({}, { sellPriceSom: 105_000 }), undefined).holds).toBe(true);
    expect(evaluateCondition("PRICE_RISE", 5, input({}, { sellPriceSom: 104_999 }), undefined).holds).toBe(false);
  });

  test("unknown price never holds", () => {
    expect(evaluateCondition("PRICE_DROP", 10, input(null, { sellPriceSom: 1 }), undefined).holds).toBe(false);
    expect(evaluateCondition("PRICE_DROP", 10, input({}, { sellPriceSom: null }), undefined).holds).toBe(false);
  });
});

describe("stock conditions", () => {
  test("low stock includes the threshold", () => {
    expect(evaluateCondition("STOCK_LOW", 5, input({}, { stockUnits: 5 }), undefined)).toEqual({ holds: true, before: 20, after: 5 });
    expect(evaluateCondition("STOCK_LOW", 5, input({}, { stockUnits: 6 }), undefined).holds).toBe(false);
  });

  test("out of stock is zero units", () => {
    expect(evaluateCondition("OUT_OF_STOCK", null, input({}, { stockUnits: 0 }), undefined).holds).toBe(true);
    expect(evaluateCondition("OUT_OF_STOCK", null, input({}, { stockUnits: null }), undefined).holds).toBe(false);
  });

  test("back in stock needs zero before", () => {
    expect(evaluateCondition("BACK_IN_STOCK", null, input({ stockUnits: 0 }, { stockUnits: 3 }), undefined)).toEqual({ holds: true, before: 0, after: 3 });
    expect(evaluateCondition("BACK_IN_STOCK", null, input({ stockUnits: 1 }, { stockUnits: 3 }), undefined).holds).toBe(false);
    expect(evaluateCondition("BACK_IN_STOCK", null, input(null, { stockUnits: 3 }), undefined).holds).toBe(false);
  });
});

describe("spike conditions", () => {
  test("weekly buyers against the average", () => {
    const averages = { weeklyBuyersAverage: 40 };
    expect(evaluateCondition("WEEKLY_BUYERS_SPIKE", 50, input({}, { weeklyBuyers: 60 }, averages), undefined)).toEqual({ holds: true, before: 40, after: 60 });
    expect(evaluateCondition("WEEKLY_BUYERS_SPIKE", 50, input({}, { weeklyBuyers: 59 }, averages), undefined).holds).toBe(false);
  });

  test("score against the average", () => {
    expect(evaluateCondition("SCORE_SPIKE", 25, input({}, { score: 5 }, { scoreAverage: 4 }), undefined).holds).toBe(true);
    expect(evaluateCondition("SCORE_SPIKE", 25, input({}, { score: 5 }, { scoreAverage: null }), undefined).holds).toBe(false);
  });
});

describe("quietUntil", () => {
  const hours = { startMinute: 22 * 60, endMinute: 8 * 60 };

  test("evening ends next morning", () => {
    // 23:30 in Tashkent on March 10.
    expect(quietUntil(new Date("2026-03-10T18:30:00Z"), hours)?.toISOString()).toBe("2026-03-11T03:00:00.000Z");
  });

  test("early morning ends the same day", () => {
    // 03:00 in Tashkent on March 11.
    expect(quietUntil(new Date("2026-03-10T22:00:00Z"), hours)?.toISOString()).toBe("2026-03-11T03:00:00.000Z");
  });

  test("daytime is not quiet", () => {
    expect(quietUntil(new Date("2026-03-10T03:00:00Z"), hours)).toBeNull();
    expect(quietUntil(new Date("2026-03-10T16:59:00Z"), hours)).toBeNull();
  });

  test("window inside one day", () => {
    const lunch = { startMinute: 13 * 60, endMinute: 14 * 60 };
    expect(quietUntil(new Date("2026-03-10T08:30:00Z"), lunch)?.toISOString()).toBe("2026-03-10T09:00:00.000Z");
    expect(quietUntil(new Date("2026-03-10T09:00:00Z"), lunch)).toBeNull();
  });

  test("equal start and end is off", () => {
    expect(quietUntil(new Date("2026-03-10T18:30:00Z"), { startMinute: 0, endMinute: 0 })).toBeNull();
  });
});
