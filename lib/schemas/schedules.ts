import { z } from "zod";
import { runTags } from "@/lib/schemas/runs";
import { OVERLAP_POLICIES } from "@/lib/enums";

const scheduleId = z.object({ scheduleId: z.uuid() });

/** An input of a schedule: a literal, or a date relative to the fire time in the schedule's timezone. */
export const scheduleInputValue = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("literal"), value: z.unknown() }),
  z.object({
    kind: z.literal("relative-date"),
    anchor: z.enum(["today", "start-of-week"]),
    offsetDays: z.number().int().min(-366).max(366),
  }),
]);
export type ScheduleInputValue = z.infer<typeof scheduleInputValue>;
export type RelativeDateValue = Extract<ScheduleInputValue, { kind: "relative-date" }>;

/** What a schedule is: the body of create, and of update next to the schedule's id. */
export const scheduleInput = z.object({
  name: z.string().trim().min(1, "is required").max(120),
  skillId: z.uuid(),
  /** null: the tenant's default agent at fire time. */
  agentId: z.uuid().nullable(),
  inputs: z.record(z.string(), scheduleInputValue),
  /** Tags every run of the schedule carries. */
  tags: runTags.optional(),
  /** The tenant's notification channels each run's result is delivered to. */
  deliveryChannelIds: z.array(z.uuid()).max(10, "at most 10 channels").optional(),
  cron: z.string().trim().min(1, "is required").max(120),
  timezone: z.string().min(1, "is required").max(64),
  overlapPolicy: z.enum(OVERLAP_POLICIES),
  enabled: z.boolean(),
});
export type ScheduleInput = z.infer<typeof scheduleInput>;

export const listSchedulesInput = z.object({ skillId: z.uuid().optional() }).default({});
export const getScheduleInput = scheduleId;
export const listScheduleSlotsInput = scheduleId.extend({
  limit: z.number().int().min(1).max(200).default(50),
});
export const createScheduleInput = scheduleInput;
export const updateScheduleInput = scheduleId.extend({ schedule: scheduleInput });
export const setScheduleEnabledInput = scheduleId.extend({ enabled: z.boolean() });
export const deleteScheduleInput = scheduleId;
export const runScheduleNowInput = scheduleId;
