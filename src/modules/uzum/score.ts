import type { StockType, UzumSku } from "./client";

/** Version of the formula, bumped on every change and stored with each score. */
export const scoreVersion = 1;

export interface ScoreInput {
  weeklyBuyers: number;
  ordersQuantity: number;
  /** Uzum's 0–5 star rating. */
  rating: number;
  /** Stock type holding most of the units; null when Uzum did not send one. */
  mainStockType: StockType | null;
}

export interface ScoreBreakdown {
  score: number;
  components: { weekly: number; orders: number; rating: number; supply: number };
}

/**
 * Score = 0.55·ln(1+weekly) + 0.25·ln(1+orders) + 0.10·rating + 0.10·supply, where supply is
 * 1.0 when the main stock is in Uzum's warehouse (FBO), 0.5 when the seller ships it (FBS)
 * and 0 when unknown. Each component is returned already weighted.
 */
export function computeScore(input: ScoreInput): ScoreBreakdown {
  const supplyByStockType = { FBO: 1, FBS: 0.5 } as const;
  const supply = input.mainStockType ? supplyByStockType[input.mainStockType] : 0;
  const components = {
    weekly: 0.55 * Math.log1p(Math.max(0, input.weeklyBuyers)),
    orders: 0.25 * Math.log1p(Math.max(0, input.ordersQuantity)),
    rating: 0.1 * Math.max(0, input.rating),
    supply: 0.1 * supply,
  };
  const score = components.weekly + components.orders + components.rating + components.supply;
  return { score: round4(score), components: mapValues(components, round4) };
}

export interface PriceSummary {
  sellPriceSom: number | null;
  fullPriceSom: number | null;
  discountPercent: number | null;
  /** FBO or FBS when every SKU considered has that type, MIXED when they differ. */
  stockType: StockType | "MIXED" | null;
  mainStockType: StockType | null;
}

/**
 * Summarises the SKUs a buyer can order: those in stock, or all of them when none is.
 * The sell price is the lowest of their prices and the full price belongs to that same SKU.
 */
export function summarizePrices(skus: UzumSku[]): PriceSummary {
  const inStock = skus.filter((sku) => sku.stockUnits > 0);
  const considered = inStock.length > 0 ? inStock : skus;

  const priced = considered.filter((sku) => sku.sellPriceSom !== null);
  const cheapest = priced.reduce<UzumSku | undefined>(
    (best, sku) => (best === undefined || sku.sellPriceSom! < best.sellPriceSom! ? sku : best),
    undefined,
  );
  const sellPriceSom = cheapest?.sellPriceSom ?? null;
  const fullPriceSom = cheapest?.fullPriceSom ?? null;

  let discountPercent: number | null = null;
  if (sellPriceSom !== null && fullPriceSom !== null && fullPriceSom > 0) {
    discountPercent = Math.max(0, Math.round(((fullPriceSom - sellPriceSom) / fullPriceSom) * 100));
  }

  const types = new Set(considered.map((sku) => sku.stockType).filter((type) => type !== null));
  let stockType: PriceSummary["stockType"] = null;
  if (types.size === 1) stockType = [...types][0];
  else if (types.size > 1) stockType = "MIXED";

  return { sellPriceSom, fullPriceSom, discountPercent, stockType, mainStockType: mainStockTypeOf(considered) };
}

/** Picks the stock type holding the most units, or with no units anywhere the type of most SKUs; FBO wins ties. */
function mainStockTypeOf(skus: UzumSku[]): StockType | null {
  const weight = { FBO: 0, FBS: 0 };
  const anyUnits = skus.some((sku) => sku.stockUnits > 0);
  for (const sku of skus) {
    if (sku.stockType) weight[sku.stockType] += anyUnits ? sku.stockUnits : 1;
  }
  if (weight.FBO === 0 && weight.FBS === 0) return null;
  return weight.FBO >= weight.FBS ? "FBO" : "FBS";
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function mapValues<T extends Record<string, number>>(object: T, map: (value: number) => number): T {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, map(value)])) as T;
}
