import { describe, expect, test } from "bun:test";
import type { SnapshotRow } from "../../../src/modules/uzum/repository";
import { chooseScoreWeekly } from "../../../src/modules/uzum/service";

function row(snapshotDate: string, weeklyBuyers: number | null, weeklyBuyersSource: SnapshotRow["weeklyBuyersSource"]): SnapshotRow {
  return { snapshotDate, weeklyBuyers, weeklyBuyersSource } as SnapshotRow;
}

describe("chooseScoreWeekly", () => {
  test("uses today's figure when known", () => {
    expect(chooseScoreWeekly(40, [row("2026-12-03", 300, "graphql")], "2026-12-04")).toEqual({
      value: 40,
      basis: "current",
      date: "2026-12-04",
    });
  });

  test("prefers an older banner to a newer estimate", () => {
    const earlier = [row("2026-12-03", 90, "orders_delta"), row("2026-12-01", 305, "html"), row("2026-11-30", 280, "graphql")];
    expect(chooseScoreWeekly(null, earlier, "2026-12-04")).toEqual({ value: 305, basis: "last_known", date: "2026-12-01" });
  });

  test("falls back to the newest estimate without a banner", () => {
    const earlier = [row("2026-12-03", null, null), row("2026-12-02", 90, "orders_delta"), row("2026-12-01", 70, "orders_delta")];
    expect(chooseScoreWeekly(null, earlier, "2026-12-04")).toEqual({ value: 90, basis: "last_known", date: "2026-12-02" });
  });

  test("ignores figures older than 14 days", () => {
    const earlier = [row("2026-11-19", 305, "graphql")];
    expect(chooseScoreWeekly(null, earlier, "2026-12-04")).toEqual({ value: 0, basis: "assumed_zero", date: null });

    const edge = [row("2026-11-20", 305, "graphql")];
    expect(chooseScoreWeekly(null, edge, "2026-12-04").basis).toBe("last_known");
  });
});
