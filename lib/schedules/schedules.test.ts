import { describe, expect, it } from "vitest";
import {
  checkCadence,
  cronOfPreset,
  describeCadence,
  nextFireAfter,
  nextFireTimes,
  offsetChangesAcross,
  resolveScheduleInputs,
} from ".";

const iso = (dates: Date[]) => dates.map((date) => date.toISOString());

describe("cadence in the schedule's timezone", () => {
  it("Europe/Berlin spring forward: 02:30 does not exist on 29 March 2026 and fires at 03:00 CEST", () => {
    expect(
      iso(nextFireTimes("30 2 * * *", "Europe/Berlin", new Date("2026-03-27T12:00:00Z"), 3)),
    ).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST, the first time after the gap
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("Europe/Berlin fall back: 02:30 happens twice on 25 October 2026 and fires once", () => {
    expect(
      iso(nextFireTimes("30 2 * * *", "Europe/Berlin", new Date("2026-10-24T12:00:00Z"), 2)),
    ).toEqual(["2026-10-25T00:30:00.000Z", "2026-10-26T01:30:00.000Z"]);
  });

  it("America/New_York: weekdays 08:30 keep local time across both transitions", () => {
    const march = nextFireTimes(
      "30 8 * * 1-5",
      "America/New_York",
      new Date("2026-03-06T00:00:00Z"),
      3,
    );
    expect(iso(march)).toEqual([
      "2026-03-06T13:30:00.000Z",
      "2026-03-09T12:30:00.000Z",
      "2026-03-10T12:30:00.000Z",
    ]);
    const november = nextFireTimes(
      "30 8 * * 1-5",
      "America/New_York",
      new Date("2026-10-30T00:00:00Z"),
      2,
    );
    expect(iso(november)).toEqual(["2026-10-30T12:30:00.000Z", "2026-11-02T13:30:00.000Z"]);
    expect(
      offsetChangesAcross("America/New_York", new Date("2026-10-30T00:00:00Z"), november),
    ).toEqual([{ at: november[1], from: "GMT-04:00", to: "GMT-05:00" }]);
  });

  it("America/New_York: an hourly schedule fires for each real hour, both 01:30s on fall-back night", () => {
    expect(
      iso(nextFireTimes("30 * * * *", "America/New_York", new Date("2026-11-01T04:00:00Z"), 3)),
    ).toEqual(["2026-11-01T04:30:00.000Z", "2026-11-01T05:30:00.000Z", "2026-11-01T06:30:00.000Z"]);
    expect(
      iso(nextFireTimes("30 2 * * *", "America/New_York", new Date("2026-03-07T12:00:00Z"), 2)),
    ).toEqual(["2026-03-08T07:00:00.000Z", "2026-03-09T06:30:00.000Z"]);
  });

  it("validates expressions and timezones with messages, describes them, and builds presets", () => {
    expect(checkCadence("30 8 * * 1-5", "Europe/Berlin")).toEqual({ ok: true });
    expect(checkCadence("61 * * * *", "UTC")).toEqual({
      ok: false,
      field: "cron",
      error: "Minute: 61 is out of range 0–59",
    });
    expect(checkCadence("* * * * * *", "UTC")).toMatchObject({ ok: false });
    expect(checkCadence("0 9 * * *", "Mars/Olympus")).toEqual({
      ok: false,
      field: "timezone",
      error: '"Mars/Olympus" is not an IANA timezone.',
    });
    expect(describeCadence("30 8 * * 1-5")).toBe("At 08:30, Monday through Friday");
    expect(cronOfPreset({ kind: "weekly", dayOfWeek: 1, hour: 9, minute: 0 })).toBe("0 9 * * 1");
    expect(nextFireAfter("0 9 1 * *", "UTC", new Date("2026-11-24T00:00:00Z"))?.toISOString()).toBe(
      "2026-12-01T09:00:00.000Z",
    );
  });
});

describe("schedule inputs", () => {
  it("resolves relative dates in the schedule's timezone at fire time", () => {
    // 23:30 UTC on Sunday 29 Nov is already Monday 30 Nov in Berlin.
    const at = new Date("2026-11-29T23:30:00Z");
    const inputs = {
      topic: { kind: "literal" as const, value: "Weekly" },
      day: { kind: "relative-date" as const, anchor: "today" as const, offsetDays: 0 },
      due: { kind: "relative-date" as const, anchor: "today" as const, offsetDays: 7 },
      week: { kind: "relative-date" as const, anchor: "start-of-week" as const, offsetDays: 0 },
    };
    expect(resolveScheduleInputs(inputs, "Europe/Berlin", at)).toEqual({
      topic: "Weekly",
      day: "2026-11-30",
      due: "2026-12-07",
      week: "2026-11-30",
    });
    expect(resolveScheduleInputs(inputs, "America/New_York", at)).toEqual({
      topic: "Weekly",
      day: "2026-11-29",
      due: "2026-12-06",
      week: "2026-11-23",
    });
  });
});
