import type { AlertType } from "../../db/schema";

/** The figures of one snapshot that rules look at. */
export interface Figures {
  sellPriceSom: number | null;
  stockUnits: number | null;
  weeklyBuyers: number | null;
  score: number | null;
}

export interface ConditionInput {
  /** The snapshot before the refresh; null for a product refreshed for the first time. */
  previous: Figures | null;
  current: Figures;
  /** Averages over the 28 Tashkent days before the snapshot's day; null without data. */
  weeklyBuyersAverage: number | null;
  scoreAverage: number | null;
}

export interface RuleState {
  isFiring: boolean;
  /** The figure a firing price rule compared with, kept while it fires. */
  reference: number | null;
}

export interface ConditionResult {
  holds: boolean;
  /** The figure compared with (previous value or average), stored as the event's "before". */
  before: number | null;
  after: number | null;
}

/**
 * Decides whether a rule's condition holds for a refreshed snapshot.
 *
 * Price rules compare with the previous snapshot; once firing they keep comparing with the price
 * before the change, so a price that stays down keeps the condition true instead of clearing it on
 * the next refresh. A slow slide of many small steps below the threshold each never fires.
 * Spike rules compare with the 4-week average, stock rules with fixed limits.
 */
export function evaluateCondition(
  type: AlertType,
  threshold: number | null,
  input: ConditionInput,
  state: RuleState | undefined,
): ConditionResult {
  const { previous, current } = input;

  switch (type) {
    case "PRICE_DROP":
    case "PRICE_RISE": {
      const reference = state?.isFiring && state.reference !== null ? state.reference : (previous?.sellPriceSom ?? null);
      const after = current.sellPriceSom;
      if (reference === null || after === null || reference <= 0) return { holds: false, before: reference, after };
      const ratio = (threshold ?? 0) / 100;
      const holds = type === "PRICE_DROP" ? after <= reference * (1 - ratio) : after >= reference * (1 + ratio);
      return { holds, before: reference, after };
    }
    case "STOCK_LOW": {
      const after = current.stockUnits;
      return { holds: after !== null && after <= (threshold ?? 0), before: previous?.stockUnits ?? null, after };
    }
    case "OUT_OF_STOCK":
      return { holds: current.stockUnits === 0, before: previous?.stockUnits ?? null, after: current.stockUnits };
    case "BACK_IN_STOCK": {
      const before = previous?.stockUnits ?? null;
      const after = current.stockUnits;
      return { holds: before === 0 && after !== null && after > 0, before, after };
    }
    case "WEEKLY_BUYERS_SPIKE":
      return spike(input.weeklyBuyersAverage, current.weeklyBuyers, threshold);
    case "SCORE_SPIKE":
      return spike(input.scoreAverage, current.score, threshold);
  }
}

function spike(average: number | null, after: number | null, threshold: number | null): ConditionResult {
  if (average === null || after === null || average <= 0) return { holds: false, before: average, after };
  return { holds: after >= average * (1 + (threshold ?? 0) / 100), before: average, after };
}

/** Percent rules take a percent, STOCK_LOW a unit count, and the stock transitions nothing. */
export function thresholdKind(type: AlertType): "percent" | "units" | "none" {
  if (type === "STOCK_LOW") return "units";
  if (type === "OUT_OF_STOCK" || type === "BACK_IN_STOCK") return "none";
  return "percent";
}
