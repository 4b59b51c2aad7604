import { describe, expect, it } from "vitest";
import { firesPerMonth } from "./cadence";

const from = new Date("2026-03-01T00:00:00Z");

describe("firesPerMonth", () => {
  it("counts the fire times of the month after `from`", () => {
    expect(firesPerMonth("0 * * * *", "UTC", from)).toBe(744);
    expect(firesPerMonth("30 8 * * *", "UTC", from)).toBe(31);
    // March 2026 has 22 weekdays.
    expect(firesPerMonth("30 8 * * 1-5", "Europe/Berlin", from)).toBe(22);
    // A monthly cadence fires once, however far into the month `from` is.
    expect(firesPerMonth("0 9 1 * *", "UTC", new Date("2026-03-01T09:00:00Z"))).toBe(1);
    expect(firesPerMonth("0 9 1 * *", "UTC", new Date("2026-03-17T12:00:00Z"))).toBe(1);
  });

  it("reads the cadence in the schedule's timezone: 08:30 on weekdays in Auckland is Sunday evening in UTC", () => {
    // From 13:00 on Sunday 1 March to 13:00 on Wednesday 1 April in Auckland: March's 22
    // weekday mornings there, and 1 April's.
    expect(firesPerMonth("30 8 * * 1-5", "Pacific/Auckland", from)).toBe(23);
    expect(firesPerMonth("30 8 * * 1-5", "UTC", from)).toBe(22);
  });

  it("extrapolates a dense cadence from its first 1,000 fires", () => {
    expect(firesPerMonth("* * * * *", "UTC", from)).toBe(44_640);
    expect(firesPerMonth("*/15 * * * *", "UTC", from)).toBe(2_976);
  });
});
