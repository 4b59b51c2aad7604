import { describe, expect, it } from "vitest";
import { cadenceErrors, checkCadence, cronOfPreset, presetOfCron, type CadencePreset } from ".";
import { explainCronProblem } from "./cron-fields";

describe("cron errors name the field and what it takes", () => {
  it.each([
    ["61 * * * *", "Minute: 61 is out of range 0–59"],
    ["* 24 * * *", "Hour: 24 is out of range 0–23"],
    ["0 9 0 * *", "Day of month: 0 is out of range 1–31"],
    ["0 9 * 13 *", "Month: 13 is out of range 1–12"],
    ["0 9 * FOO *", "Month: use 1–12 or JAN–DEC"],
    ["0 9 * * 1-5x", "Day of week: use 0–7 or MON–SUN"],
    ["0 9 * * 8", "Day of week: 8 is out of range 0–7"],
    ["*/0 * * * *", "Minute: a step after / is a whole number from 1, like */15"],
    ["5-1 * * * *", "Minute: 5-1 runs backwards; put the smaller value first"],
    ["0,,5 * * * *", "Minute: an item between commas is empty"],
    ["a b c d e", "Minute: use 0–59, * or a step like */15"],
    [
      "0 9 * * * *",
      "Write 5 fields: minute hour day-of-month month day-of-week, e.g. 30 8 * * 1-5 (this has 6).",
    ],
  ])("%s → %s", (expression, message) => {
    expect(explainCronProblem(expression)).toBe(message);
    // The editor and the server say the same, from croner's refusal.
    expect(checkCadence(expression, "UTC")).toEqual({ ok: false, field: "cron", error: message });
  });

  it("finds nothing wrong with what croner accepts, extended syntax included", () => {
    for (const expression of [
      "30 8 * * 1-5",
      "0 9 * * MON-FRI",
      "0 9 * * 7",
      "*/15 * * * *",
      "1-5/2 * * * *",
      "0 9 L * *",
      "0 9 * * 5#2",
      "0 9 ? * *",
      "0 9 * JAN,jul *",
    ]) {
      expect(explainCronProblem(expression)).toBeNull();
      expect(checkCadence(expression, "Europe/Berlin")).toEqual({ ok: true });
    }
  });

  it("says so when an expression never fires, without croner's words", () => {
    expect(checkCadence("0 9 31 2 *", "UTC")).toEqual({
      ok: false,
      field: "cron",
      error: "This cron expression never fires (a date like 31 February never comes).",
    });
  });

  it("judges the timezone and the expression each on its own", () => {
    expect(cadenceErrors("30 8 * * 1-5", "Mars/Olympus")).toEqual({
      timezone: '"Mars/Olympus" is not an IANA timezone.',
    });
    expect(cadenceErrors("61 * * * *", "Mars/Olympus")).toEqual({
      timezone: '"Mars/Olympus" is not an IANA timezone.',
      cron: "Minute: 61 is out of range 0–59",
    });
    expect(cadenceErrors("61 * * * *", "Europe/Berlin")).toEqual({
      cron: "Minute: 61 is out of range 0–59",
    });
    expect(checkCadence("30 8 * * 1-5", "Mars/Olympus")).toMatchObject({ field: "timezone" });
  });
});

describe("presetOfCron", () => {
  it("reads back every preset the editor writes", () => {
    const presets: CadencePreset[] = [
      { kind: "hourly", minute: 15 },
      { kind: "daily", hour: 7, minute: 0 },
      { kind: "weekdays", hour: 8, minute: 30 },
      { kind: "weekly", dayOfWeek: 1, hour: 9, minute: 0 },
      { kind: "weekly", dayOfWeek: 0, hour: 18, minute: 45 },
      { kind: "monthly", dayOfMonth: 28, hour: 6, minute: 5 },
    ];
    for (const preset of presets) expect(presetOfCron(cronOfPreset(preset))).toEqual(preset);
  });

  it("knows the same cadence written another way, and calls anything else custom", () => {
    expect(presetOfCron(" 30  8 * * MON-FRI ")).toEqual({ kind: "weekdays", hour: 8, minute: 30 });
    expect(presetOfCron("0 9 * * 7")).toEqual({ kind: "weekly", dayOfWeek: 0, hour: 9, minute: 0 });
    for (const custom of ["*/15 * * * *", "0 9 31 * *", "0 9 * 1 *", "0 9,17 * * *", "0 9 1 * 1"])
      expect(presetOfCron(custom)).toBeNull();
  });
});
