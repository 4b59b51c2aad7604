import { describe, expect, it } from "vitest";
import {
  fieldWithError,
  presetFieldsOfCron,
  presetOf,
  scheduleFormSchema,
  type ScheduleFormFields,
} from "./schedule-form";

const valid: ScheduleFormFields = {
  name: "  Weekday digest ",
  skillId: "0b5c3b0e-8d7e-4a7e-9a40-3f1f4f3b9a11",
  agentId: null,
  cron: "30 8 * * 1-5",
  timezone: "Europe/Berlin",
  overlapPolicy: "skip",
  enabled: true,
  cadencePreset: { kind: "custom", time: "08:30", day: 1, minute: 0 },
};

const issuesOf = (fields: ScheduleFormFields) => {
  const result = scheduleFormSchema.safeParse(fields);
  return result.success
    ? []
    : result.error.issues.map((issue) => [issue.path.join("."), issue.message]);
};

describe("the schedule editor's form schema", () => {
  it("checks the schedule's fields with the operation's rules and messages", () => {
    const parsed = scheduleFormSchema.parse(valid);
    expect(parsed.name).toBe("Weekday digest");
    expect(issuesOf({ ...valid, name: "   " })).toEqual([["name", "is required"]]);
  });

  it("puts a bad cron expression on the cron field and an unknown timezone on the timezone field", () => {
    const badCron = issuesOf({ ...valid, cron: "61 * * * *" });
    expect(badCron).toHaveLength(1);
    expect(badCron[0]?.[0]).toBe("cron");
    const badZone = issuesOf({ ...valid, timezone: "Mars/Olympus" });
    expect(badZone).toHaveLength(1);
    expect(badZone[0]?.[0]).toBe("timezone");
  });

  it("reports every section's problem at once, a bad timezone on the timezone alone", () => {
    expect(issuesOf({ ...valid, name: "", cron: "61 * * * *", timezone: "Mars/Olympus" })).toEqual([
      ["name", "is required"],
      ["cron", "Minute: 61 is out of range 0–59"],
      ["timezone", '"Mars/Olympus" is not an IANA timezone.'],
    ]);
    expect(issuesOf({ ...valid, timezone: "Mars/Olympus" }).map(([path]) => path)).toEqual([
      "timezone",
    ]);
    expect(
      issuesOf({
        ...valid,
        cadencePreset: { kind: "weekdays", time: "8.30pm", day: 1, minute: 0 },
      }),
    ).toEqual([["cadencePreset.time", "Use HH:MM, 24 h, like 08:30"]]);
  });

  it("opens a cron expression that is a preset as that preset, 24 h", () => {
    expect(presetFieldsOfCron("30 8 * * 1-5")).toEqual({
      kind: "weekdays",
      time: "08:30",
      day: 1,
      minute: 30,
    });
    expect(presetFieldsOfCron("0 17 * * 5")).toMatchObject({
      kind: "weekly",
      time: "17:00",
      day: 5,
    });
    expect(presetFieldsOfCron("15 * * * *")).toMatchObject({ kind: "hourly", minute: 15 });
    expect(presetFieldsOfCron("*/5 * * * *")).toMatchObject({ kind: "custom" });
    expect(presetOf({ kind: "daily", time: "21:05", day: 1, minute: 0 })).toEqual({
      kind: "daily",
      hour: 21,
      minute: 5,
    });
    expect(presetOf({ kind: "daily", time: "21:", day: 1, minute: 0 })).toBeNull();
  });

  it("shows server errors only on the fields that display one", () => {
    expect(["name", "skillId", "agentId", "cron", "timezone"].map(fieldWithError)).toEqual([
      "name",
      "skillId",
      "agentId",
      "cron",
      "timezone",
    ]);
    expect(fieldWithError("enabled")).toBeNull();
    expect(fieldWithError("inputs.teamName")).toBeNull();
  });
});
