import "server-only";
import { z } from "zod";
import { OVERLAP_POLICIES } from "@/server/db/schema/enums";
import {
  createSchedule,
  deleteSchedule,
  getSchedule,
  listSchedules,
  listScheduleSlots,
  runScheduleNow,
  setScheduleEnabled,
  updateSchedule,
} from "@/server/services/schedules/schedules";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

const scheduleId = z.object({ scheduleId: z.uuid() });
const inputValue = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("literal"), value: z.unknown() }),
  z.object({
    kind: z.literal("relative-date"),
    anchor: z.enum(["today", "start-of-week"]),
    offsetDays: z.number().int().min(-366).max(366),
  }),
]);
const scheduleInput = z.object({
  name: z.string().trim().min(1, "is required").max(120),
  skillId: z.uuid(),
  agentId: z.uuid().nullable(),
  inputs: z.record(z.string(), inputValue),
  cron: z.string().trim().min(1, "is required").max(120),
  timezone: z.string().min(1, "is required").max(64),
  overlapPolicy: z.enum(OVERLAP_POLICIES),
  enabled: z.boolean(),
});

export const schedulesRouter = createTRPCRouter({
  list: tenantProcedure
    .input(z.object({ skillId: z.uuid().optional() }).default({}))
    .query(({ ctx, input }) => listSchedules(ctx.db, ctx.tenant.id, input)),

  get: tenantProcedure
    .input(scheduleId)
    .query(({ ctx, input }) =>
      mapServiceErrors(() => getSchedule(ctx.db, ctx.tenant.id, input.scheduleId)),
    ),

  slots: tenantProcedure
    .input(scheduleId.extend({ limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) =>
      mapServiceErrors(() =>
        listScheduleSlots(ctx.db, ctx.tenant.id, input.scheduleId, input.limit),
      ),
    ),

  create: roleProcedure("admin")
    .input(scheduleInput)
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        createSchedule(
          ctx.db,
          { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
          input,
        ),
      ),
    ),

  update: roleProcedure("admin")
    .input(scheduleId.extend({ schedule: scheduleInput }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        updateSchedule(
          ctx.db,
          { tenantId: ctx.tenant.id, scheduleId: input.scheduleId, audit: ctx.audit },
          input.schedule,
        ),
      ),
    ),

  setEnabled: roleProcedure("admin")
    .input(scheduleId.extend({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        setScheduleEnabled(
          ctx.db,
          { tenantId: ctx.tenant.id, scheduleId: input.scheduleId, audit: ctx.audit },
          input.enabled,
        ),
      ),
    ),

  delete: roleProcedure("admin")
    .input(scheduleId)
    .mutation(({ ctx, input }) =>
      mapServiceErrors(() =>
        deleteSchedule(ctx.db, {
          tenantId: ctx.tenant.id,
          scheduleId: input.scheduleId,
          audit: ctx.audit,
        }),
      ),
    ),

  runNow: roleProcedure("operator")
    .input(scheduleId)
    .mutation(({ ctx, input }) =>
      mapServiceErrors(async () => {
        const started = await runScheduleNow(
          { db: ctx.db, dispatcher: ctx.dispatcher },
          {
            tenantId: ctx.tenant.id,
            scheduleId: input.scheduleId,
            userId: ctx.user.id,
            audit: ctx.audit,
          },
        );
        return { runId: started.run.id };
      }),
    ),
});
