import { describe, expect, it } from "vitest";
import { fieldWithError, scheduleFormSchema, type ScheduleFormFields } from "./schedule-form";

const valid: ScheduleFormFields = {
  name: "  Weekday digest ",
  skillId: "0b5c3b0e-8d7e-4a7e-9a40-3f1f4f3b9a11",
  agentId: null,
  cron: "30 8 * * 1-5",
  timezone: "Europe/Berlin",
  overlapPolicy: "skip",
  enabled: true,
  cadencePreset: { kind: "custom", time: "08:30", day: 1 },
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
