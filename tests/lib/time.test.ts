import { describe, expect, test } from "bun:test";
import { addDays, tashkentDate } from "../../src/lib/time";

describe("tashkentDate", () => {
  test("puts 00:30 Tashkent on that Tashkent day", () => {
    // 19:30 UTC on 3 December is 00:30 on 4 December in Tashkent.
    expect(tashkentDate(new Date("2026-12-03T19:30:00Z"))).toBe("2026-12-04");
  });

  test("keeps 23:59 Tashkent on the same day", () => {
    expect(tashkentDate(new Date("2026-12-04T18:59:59Z"))).toBe("2026-12-04");
  });

  test("crosses a year end at Tashkent midnight", () => {
    expect(tashkentDate(new Date("2026-12-31T18:59:59Z"))).toBe("2026-12-31");
    expect(tashkentDate(new Date("2026-12-31T19:00:00Z"))).toBe("2027-01-01");
  });
});

describe("addDays", () => {
  test("moves across month ends and leap days", () => {
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(addDays("2026-12-04", -30)).toBe("2026-11-04");
  });
});
