import { describe, expect, test } from "bun:test";
import type { UzumSku } from "../../../src/modules/uzum/client";
import { computeScore, summarizePrices } from "../../../src/modules/uzum/score";

const sku = (overrides: Partial<UzumSku>): UzumSku => ({
  id: 1,
  title: null,
  sellPriceSom: 100_000,
  fullPriceSom: 100_000,
  stockUnits: 1,
  stockType: "FBO",
  ...overrides,
});

describe("computeScore", () => {
  test("weighs weekly buyers, orders, rating and supply", () => {
    const result = computeScore({ weeklyBuyers: 305, ordersQuantity: 1000, rating: 4.7, mainStockType: "FBO" });
    const expected = 0.55 * Math.log(306) + 0.25 * Math.log(1001) + 0.1 * 4.7 + 0.1 * 1;
    expect(result.score).toBeCloseTo(expected, 3);
    expect(result.components.supply).toBe(0.1);
  });

  test("gives FBS half the supply of FBO", () => {
    const fbo = computeScore({ weeklyBuyers: 0, ordersQuantity: 0, rating: 0, mainStockType: "FBO" });
    const fbs = computeScore({ weeklyBuyers: 0, ordersQuantity: 0, rating: 0, mainStockType: "FBS" });
    expect(fbo.score).toBe(0.1);
    expect(fbs.score).toBe(0.05);
  });

  test("ranks more weekly buyers higher", () => {
    const base = { ordersQuantity: 500, rating: 4.5, mainStockType: "FBO" as const };
    expect(computeScore({ ...base, weeklyBuyers: 100 }).score).toBeGreaterThan(computeScore({ ...base, weeklyBuyers: 10 }).score);
  });
});

describe("summarizePrices", () => {
  test("takes the cheapest SKU in stock", () => {
    const summary = summarizePrices([
      sku({ id: 1, sellPriceSom: 90_000, fullPriceSom: 120_000, stockUnits: 0 }),
      sku({ id: 2, sellPriceSom: 110_000, fullPriceSom: 150_000, stockUnits: 3 }),
      sku({ id: 3, sellPriceSom: 130_000, fullPriceSom: 130_000, stockUnits: 2 }),
    ]);
    expect(summary.sellPriceSom).toBe(110_000);
    expect(summary.fullPriceSom).toBe(150_000);
    expect(summary.discountPercent).toBe(27);
  });

  test("uses every SKU when none is in stock", () => {
    const summary = summarizePrices([
      sku({ id: 1, sellPriceSom: 90_000, stockUnits: 0, stockType: "FBS" }),
      sku({ id: 2, sellPriceSom: 80_000, fullPriceSom: 80_000, stockUnits: 0, stockType: "FBS" }),
    ]);
    expect(summary.sellPriceSom).toBe(80_000);
    expect(summary.discountPercent).toBe(0);
    expect(summary.stockType).toBe("FBS");
  });

  test("reports MIXED stock and the type holding most units", () => {
    const summary = summarizePrices([
      sku({ id: 1, stockUnits: 2, stockType: "FBO" }),
      sku({ id: 2, stockUnits: 9, stockType: "FBS" }),
    ]);
    expect(summary.stockType).toBe("MIXED");
    expect(summary.mainStockType).toBe("FBS");
  });

  test("ignores the stock type of SKUs out of stock", () => {
    const summary = summarizePrices([
      sku({ id: 1, stockUnits: 0, stockType: "FBS" }),
      sku({ id: 2, stockUnits: 4, stockType: "FBO" }),
    ]);
    expect(summary.stockType).toBe("FBO");
  });

  test("returns nulls for a product without SKUs", () => {
    const summary = summarizePrices([]);
    expect(summary.sellPriceSom).toBeNull();
    expect(summary.stockType).toBeNull();
    expect(summary.mainStockType).toBeNull();
  });
});
