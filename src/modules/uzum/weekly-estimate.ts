import { dayMs } from "../../lib/time";

/** Estimates above this many buyers a week are noise, such as rounded totals stored as weekly by old data. */
export const weeklyEstimateCapPerWeek = 5000;

export interface OrdersPoint {
  ordersQuantity: number | null;
  capturedAt: Date;
}

export interface WeeklyEstimate {
  weeklyBuyers: number | null;
  /** The earlier snapshot the delta was taken against. */
  reference: OrdersPoint | null;
  /** Why the estimate is null, when it is. */
  reason: "no_reference" | "no_orders" | "no_growth" | "above_cap" | null;
}

/**
 * Estimates weekly buyers from the growth of total orders.
 *
 * The reference is the newest snapshot at least 7 days old; failing that, the oldest one at
 * least 24 hours old, which gives the longest span available. The delta is scaled to 7 days.
 * A zero or negative delta, and an estimate above the cap, are unknown (null), never 0.
 */
export function estimateWeeklyBuyers(current: OrdersPoint, history: OrdersPoint[]): WeeklyEstimate {
  if (current.ordersQuantity === null) return { weeklyBuyers: null, reference: null, reason: "no_orders" };

  const now = current.capturedAt.getTime();
  const usable = history.filter((point) => point.ordersQuantity !== null);
  const weekOld = usable
    .filter((point) => now - point.capturedAt.getTime() >= 7 * dayMs)
    .sort((a, b) => b.capturedAt.getTime() - a.capturedAt.getTime());
  const dayOld = usable
    .filter((point) => now - point.capturedAt.getTime() >= dayMs)
    .sort((a, b) => a.capturedAt.getTime() - b.capturedAt.getTime());

  const reference = weekOld[0] ?? dayOld[0];
  if (!reference) return { weeklyBuyers: null, reference: null, reason: "no_reference" };

  const delta = current.ordersQuantity - reference.ordersQuantity!;
  if (delta <= 0) return { weeklyBuyers: null, reference, reason: "no_growth" };

  const days = (now - reference.capturedAt.getTime()) / dayMs;
  const weekly = Math.round((delta * 7) / days);
  if (weekly > weeklyEstimateCapPerWeek) return { weeklyBuyers: null, reference, reason: "above_cap" };
  if (weekly <= 0) return { weeklyBuyers: null, reference, reason: "no_growth" };

  return { weeklyBuyers: weekly, reference, reason: null };
}
