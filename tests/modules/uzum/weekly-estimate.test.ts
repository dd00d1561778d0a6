import { describe, expect, test } from "bun:test";
import { dayMs } from "../../../src/lib/time";
import { estimateWeeklyBuyers, weeklyEstimateCapPerWeek } from "../../../src/modules/uzum/weekly-estimate";

const now = new Date("2026-12-04T10:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * dayMs);

describe("estimateWeeklyBuyers", () => {
  test("uses the newest snapshot at least 7 days old", () => {
    const estimate = estimateWeeklyBuyers({ ordersQuantity: 500, capturedAt: now }, [
      { ordersQuantity: 480, capturedAt: daysAgo(3) },
      { ordersQuantity: 430, capturedAt: daysAgo(7) },
      { ordersQuantity: 300, capturedAt: daysAgo(20) },
    ]);
    expect(estimate.weeklyBuyers).toBe(70);
    expect(estimate.reference?.capturedAt).toEqual(daysAgo(7));
  });

  test("scales a reference older than a week to 7 days", () => {
    const estimate = estimateWeeklyBuyers({ ordersQuantity: 400, capturedAt: now }, [{ ordersQuantity: 260, capturedAt: daysAgo(14) }]);
    expect(estimate.weeklyBuyers).toBe(70);
  });

  test("falls back to a snapshot at least a day old", () => {
    const estimate = estimateWeeklyBuyers({ ordersQuantity: 120, capturedAt: now }, [
      { ordersQuantity: 110, capturedAt: daysAgo(1) },
      { ordersQuantity: 100, capturedAt: daysAgo(2) },
    ]);
    // The older of the two gives the longer span: 20 orders in 2 days is 70 a week.
    expect(estimate.weeklyBuyers).toBe(70);
  });

  test("is unknown without a snapshot a day old", () => {
    const estimate = estimateWeeklyBuyers({ ordersQuantity: 120, capturedAt: now }, [
      { ordersQuantity: 100, capturedAt: new Date(now.getTime() - 23 * 3600 * 1000) },
    ]);
    expect(estimate.weeklyBuyers).toBeNull();
    expect(estimate.reason).toBe("no_reference");
  });

  test("is unknown, not zero, when orders did not grow", () => {
    const flat = estimateWeeklyBuyers({ ordersQuantity: 100, capturedAt: now }, [{ ordersQuantity: 100, capturedAt: daysAgo(7) }]);
    expect(flat.weeklyBuyers).toBeNull();
    expect(flat.reason).toBe("no_growth");

    const dropped = estimateWeeklyBuyers({ ordersQuantity: 90, capturedAt: now }, [{ ordersQuantity: 100, capturedAt: daysAgo(7) }]);
    expect(dropped.weeklyBuyers).toBeNull();
  });

  test("treats estimates above the cap as noise", () => {
    const estimate = estimateWeeklyBuyers({ ordersQuantity: 50_000, capturedAt: now }, [{ ordersQuantity: 5_000, capturedAt: daysAgo(7) }]);
    expect(estimate.weeklyBuyers).toBeNull();
    expect(estimate.reason).toBe("above_cap");

    const atCap = estimateWeeklyBuyers({ ordersQuantity: 5_000 + weeklyEstimateCapPerWeek, capturedAt: now }, [
      { ordersQuantity: 5_000, capturedAt: daysAgo(7) },
    ]);
    expect(atCap.weeklyBuyers).toBe(weeklyEstimateCapPerWeek);
  });

  test("skips snapshots without orders", () => {
    const estimate = estimateWeeklyBuyers({ ordersQuantity: 200, capturedAt: now }, [
      { ordersQuantity: null, capturedAt: daysAgo(7) },
      { ordersQuantity: 130, capturedAt: daysAgo(8) },
    ]);
    expect(estimate.weeklyBuyers).toBe(61);
  });
});
