import { describe, expect, it } from "vitest";
import {
  formatFromNow,
  formatInZone,
  formatRelative,
  formatUtc,
  isUtc,
  zoneAbbreviation,
} from "./format";

const now = Date.parse("2026-12-07T07:29:18Z"); // Monday 08:29:18 in Berlin
const at = (offsetSeconds: number) => new Date(now + offsetSeconds * 1000);

describe("formatFromNow", () => {
  it("says how far ahead a future moment is, never 'just now'", () => {
    expect(formatFromNow(at(42), now)).toBe("in 42 s");
    expect(formatFromNow(at(0.2), now)).toBe("in 1 s");
    expect(formatFromNow(at(3), now)).toBe("in 3 s");
    expect(formatFromNow(at(5 * 60), now)).toBe("in 5 min");
    expect(formatFromNow(at(90 * 60), now)).toBe("in 1 h 30 min");
    expect(formatFromNow(at(9 * 3600), now)).toBe("in 9 h");
    expect(formatFromNow(at(3 * 86_400), now)).toBe("in 3 days");
    expect(formatFromNow(at(86_400), now)).toBe("in 1 day");
  });

  it("says how long ago a past moment was", () => {
    expect(formatFromNow(at(0), now)).toBe("just now");
    expect(formatFromNow(at(-4), now)).toBe("just now");
    expect(formatFromNow(at(-42), now)).toBe("42 s ago");
    expect(formatFromNow(at(-3 * 60), now)).toBe("3 min ago");
    expect(formatFromNow(at(-2 * 86_400), now)).toBe("2 days ago");
  });
});

describe("formatRelative", () => {
  it("keeps 'just now' for the past: a moment seconds ahead is 'in N seconds'", () => {
    expect(formatRelative(at(3), now)).toBe("in 3 seconds");
    expect(formatRelative(at(0.4), now)).toBe("in 1 second");
    expect(formatRelative(at(-3), now)).toBe("just now");
    expect(formatRelative(at(-120), now)).toBe("2 minutes ago");
  });
});

describe("formatInZone", () => {
  const fire = new Date("2026-12-07T07:30:00Z");

  it("shows the schedule's zone first, 24 h, with its abbreviation", () => {
    expect(formatInZone(fire, "Europe/Berlin", { now })).toBe("Mon 08:30 CET");
    expect(formatInZone(fire, "America/New_York", { now })).toBe("Mon 02:30 EST");
    expect(formatInZone(fire, "UTC", { now })).toBe("Mon 07:30 UTC");
    expect(formatInZone(new Date("2026-12-07T19:05:00Z"), "Asia/Tokyo", { now })).toBe(
      "Tue 04:05 GMT+9",
    );
  });

  it("names the summer abbreviation in summer", () => {
    const july = new Date("2026-07-06T06:30:00Z");
    expect(formatInZone(july, "Europe/Berlin", { now: july.getTime() })).toBe("Mon 08:30 CEST");
    expect(formatInZone(july, "Europe/London", { now: july.getTime() })).toBe("Mon 07:30 BST");
  });

  it("adds the date beyond a week from now, and the year when it is another year", () => {
    const later = new Date("2026-12-21T07:30:00Z");
    expect(formatInZone(later, "Europe/Berlin", { now })).toBe("Mon 21 Dec 08:30 CET");
    expect(formatInZone(new Date("2027-01-04T07:30:00Z"), "Europe/Berlin", { now })).toBe(
      "Mon 4 Jan 2027 08:30 CET",
    );
    expect(formatInZone(fire, "Europe/Berlin", { now, withDate: true })).toBe(
      "Mon 7 Dec 08:30 CET",
    );
  });

  it("reads the calendar day in the zone, not in UTC", () => {
    // 23:30 UTC on Sunday is already Monday in Berlin.
    expect(formatInZone(new Date("2026-12-06T23:30:00Z"), "Europe/Berlin", { now })).toBe(
      "Mon 00:30 CET",
    );
  });

  it("falls back to the offset where English has no abbreviation", () => {
    expect(zoneAbbreviation("Asia/Kolkata", fire)).toMatch(/^(IST|GMT\+5:30)$/);
    expect(zoneAbbreviation("Asia/Kathmandu", fire)).toBe("GMT+5:45");
  });
});

describe("formatUtc and isUtc", () => {
  it("gives the UTC moment for a hover", () => {
    expect(formatUtc(new Date("2026-12-07T07:30:00Z"))).toBe("Mon 7 Dec 2026 07:30 UTC");
  });

  it("knows UTC by its other names", () => {
    for (const zone of ["UTC", "Etc/UTC", "GMT", "Etc/GMT"]) expect(isUtc(zone)).toBe(true);
    for (const zone of ["Europe/London", "Europe/Berlin", "Africa/Abidjan"])
      expect(isUtc(zone)).toBe(false);
  });
});
