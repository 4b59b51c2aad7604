import type { UseFormReturn } from "react-hook-form";
import { z } from "zod";
import { cadenceErrors, presetOfCron, type CadencePreset } from "@/lib/schedules";
import { scheduleInput } from "@/lib/schemas/schedules";

export type PresetKind = CadencePreset["kind"] | "custom";

/** The schedule's own fields; its inputs are the inputs card's form. */
const scheduleFields = scheduleInput.omit({ inputs: true });

/** "08:30": 24 h, as the preset's time control takes it. */
const TIME_PATTERN = /^([01]?\d|2[0-3]):([0-5]\d)$/;
export const TIME_HINT = "Use HH:MM, 24 h, like 08:30";

/** The cadence helper's choices: they only ever write the cron expression. */
const cadencePresetFields = z.object({
  kind: z.custom<PresetKind>(),
  time: z.string(),
  day: z.number(),
  minute: z.number(),
});
export type CadencePresetFields = z.infer<typeof cadencePresetFields>;

/**
 * The editor's form: the schedule's fields, checked as the server checks them (the cadence too,
 * the cron expression and the timezone each on its own), and the cadence helper's choices.
 */
export const scheduleFormSchema = scheduleFields
  .extend({ cadencePreset: cadencePresetFields })
  .superRefine(({ cron, timezone, cadencePreset }, context) => {
    const errors = cadenceErrors(cron, timezone);
    for (const field of ["cron", "timezone"] as const) {
      const message = errors[field];
      if (message) context.addIssue({ code: "custom", path: [field], message });
    }
    const needsTime = cadencePreset.kind !== "custom" && cadencePreset.kind !== "hourly";
    if (needsTime && !TIME_PATTERN.test(cadencePreset.time))
      context.addIssue({ code: "custom", path: ["cadencePreset", "time"], message: TIME_HINT });
  });
export type ScheduleFormFields = z.input<typeof scheduleFormSchema>;
export type ScheduleFormValues = z.output<typeof scheduleFormSchema>;
export type ScheduleForm = UseFormReturn<ScheduleFormFields, unknown, ScheduleFormValues>;

/** The fields that show an error of their own; the server's errors of any other key go in an alert. */
const FIELDS_WITH_ERRORS = ["name", "skillId", "agentId", "cron", "timezone"] as const;
export const fieldWithError = (key: string) =>
  FIELDS_WITH_ERRORS.find((field) => field === key) ?? null;

/** "HH:MM" as hour and minute, or null while it is being typed. */
export function parseTime(time: string): { hour: number; minute: number } | null {
  const match = TIME_PATTERN.exec(time.trim());
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : null;
}

const pad = (value: number) => String(value).padStart(2, "0");

/**
 * The preset a helper choice means, or null while its time is not a time yet. `day` is a weekday
 * or a day of the month, `minute` the hourly preset's minute past the hour.
 */
export function presetOf({ kind, time, day, minute }: CadencePresetFields): CadencePreset | null {
  if (kind === "custom") return null;
  if (kind === "hourly")
    return Number.isInteger(minute) && minute >= 0 && minute <= 59 ? { kind, minute } : null;
  const parsed = parseTime(time);
  if (!parsed) return null;
  switch (kind) {
    case "daily":
    case "weekdays":
      return { kind, ...parsed };
    case "weekly":
      return { kind, dayOfWeek: day, ...parsed };
    case "monthly":
      return { kind, dayOfMonth: Math.min(28, Math.max(1, day)), ...parsed };
  }
}

/**
 * The helper's choices that mean this cron expression: its preset when it is one (so a saved
 * "30 8 * * 1-5" opens as "Weekdays at 08:30"), else custom, keeping the choices made so far.
 */
export function presetFieldsOfCron(
  cron: string,
  current: CadencePresetFields = { kind: "custom", time: "08:30", day: 1, minute: 0 },
): CadencePresetFields {
  const preset = presetOfCron(cron);
  if (!preset) return { ...current, kind: "custom" };
  const time = "hour" in preset ? `${pad(preset.hour)}:${pad(preset.minute)}` : current.time;
  const day =
    preset.kind === "weekly"
      ? preset.dayOfWeek
      : preset.kind === "monthly"
        ? preset.dayOfMonth
        : current.day;
  return { kind: preset.kind, time, day, minute: preset.minute };
}
