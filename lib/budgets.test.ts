import { describe, expect, it } from "vitest";
import { budgetMonthAt, formatUsd, quantile } from "./budgets";

describe("budgetMonthAt", () => {
  it("bounds the month by local midnights in the zone, across a DST change", () => {
    // 00:30 on 1 March in Berlin is 23:30 UTC on 28 February; March ends in summer time.
    expect(budgetMonthAt("Europe/Berlin", new Date("2026-02-28T23:30:00Z"))).toEqual({
      label: "2026-03",
      start: new Date("2026-02-28T23:00:00Z"),
      end: new Date("2026-03-31T22:00:00Z"),
    });
    expect(budgetMonthAt("UTC", new Date("2026-02-28T23:30:00Z"))).toEqual({
      label: "2026-02",
      start: new Date("2026-02-01T00:00:00Z"),
      end: new Date("2026-03-01T00:00:00Z"),
    });
  });

  it("puts the first instant of a month in that month", () => {
    const start = new Date("2026-01-01T05:00:00Z"); // midnight in New York
    expect(budgetMonthAt("America/New_York", start).label).toBe("2026-01");
    expect(budgetMonthAt("America/New_York", new Date(start.getTime() - 1)).label).toBe("2025-12");
  });
});

describe("quantile", () => {
  it("interpolates between ranks as percentile_cont does", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 12);
  });
});

describe("formatUsd", () => {
  it("shows cents above a dollar and significant digits below a cent", () => {
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(12.345)).toBe("$12.35");
    expect(formatUsd(0.1)).toBe("$0.100");
    expect(formatUsd(0.0042)).toBe("$0.0042");
  });
});
