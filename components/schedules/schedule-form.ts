import type { UseFormReturn } from "react-hook-form";
import { z } from "zod";
import { checkCadence, type CadencePreset } from "@/lib/schedules";
import { scheduleInput } from "@/lib/schemas/schedules";

export type PresetKind = CadencePreset["kind"] | "custom";

/** A cadence error names the timezone (an unknown IANA zone) or else the cron expression. */
export const cadenceFieldOf = (error: string) => (error.includes("IANA") ? "timezone" : "cron");

/** The schedule's own fields; its inputs are the inputs card's form. */
const scheduleFields = scheduleInput.omit({ inputs: true });

/**
 * The editor's form: the schedule's fields, checked as the server checks them (the cadence too),
 * and the cadence helper's choices, which only ever write the cron expression.
 */
export const scheduleFormSchema = scheduleFields
  .extend({
    cadencePreset: z.object({ kind: z.custom<PresetKind>(), time: z.string(), day: z.number() }),
  })
  .superRefine(({ cron, timezone }, context) => {
    const cadence = checkCadence(cron, timezone);
    if (!cadence.ok)
      context.addIssue({
        code: "custom",
        path: [cadenceFieldOf(cadence.error)],
        message: cadence.error,
      });
  });
export type ScheduleFormFields = z.input<typeof scheduleFormSchema>;
export type ScheduleFormValues = z.output<typeof scheduleFormSchema>;
export type ScheduleForm = UseFormReturn<ScheduleFormFields, unknown, ScheduleFormValues>;

/** The fields that show an error of their own; the server's errors of any other key go in an alert. */
const FIELDS_WITH_ERRORS = ["name", "skillId", "agentId", "cron", "timezone"] as const;
export const fieldWithError = (key: string) =>
  FIELDS_WITH_ERRORS.find((field) => field === key) ?? null;

/** The preset a helper choice means; `time` is "HH:MM", `day` a weekday or a day of the month. */
export function presetOf(kind: CadencePreset["kind"], time: string, day: number): CadencePreset {
  const [hour = 0, minute = 0] = time.split(":").map(Number);
  switch (kind) {
    case "hourly":
      return { kind, minute };
    case "daily":
    case "weekdays":
      return { kind, hour, minute };
    case "weekly":
      return { kind, dayOfWeek: day, hour, minute };
    case "monthly":
      return { kind, dayOfMonth: Math.min(28, Math.max(1, day)), hour, minute };
  }
}
