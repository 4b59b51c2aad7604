import "server-only";

import {
  createScheduleInput,
  deleteScheduleInput,
  getScheduleInput,
  listScheduleSlotsInput,
  listSchedulesInput,
  runScheduleNowInput,
  setScheduleEnabledInput,
  updateScheduleInput,
} from "@/lib/schemas/schedules";
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

export const schedulesRouter = createTRPCRouter({
  list: tenantProcedure
    .input(listSchedulesInput)
    .query(({ ctx, input }) => listSchedules(ctx.db, ctx.tenant.id, input)),

  get: tenantProcedure
    .input(getScheduleInput)
    .query(({ ctx, input }) => getSchedule(ctx.db, ctx.tenant.id, input.scheduleId)),

  slots: tenantProcedure
    .input(listScheduleSlotsInput)
    .query(({ ctx, input }) =>
      listScheduleSlots(ctx.db, ctx.tenant.id, input.scheduleId, input.limit),
    ),

  create: roleProcedure("admin")
    .input(createScheduleInput)
    .mutation(({ ctx, input }) =>
      createSchedule(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        input,
      ),
    ),

  update: roleProcedure("admin")
    .input(updateScheduleInput)
    .mutation(({ ctx, input }) =>
      updateSchedule(
        ctx.db,
        { tenantId: ctx.tenant.id, scheduleId: input.scheduleId, audit: ctx.audit },
        input.schedule,
      ),
    ),

  setEnabled: roleProcedure("admin")
    .input(setScheduleEnabledInput)
    .mutation(({ ctx, input }) =>
      setScheduleEnabled(
        ctx.db,
        { tenantId: ctx.tenant.id, scheduleId: input.scheduleId, audit: ctx.audit },
        input.enabled,
      ),
    ),

  delete: roleProcedure("admin")
    .input(deleteScheduleInput)
    .mutation(({ ctx, input }) =>
      deleteSchedule(ctx.db, {
        tenantId: ctx.tenant.id,
        scheduleId: input.scheduleId,
        audit: ctx.audit,
      }),
    ),

  runNow: roleProcedure("operator")
    .input(runScheduleNowInput)
    .mutation(async ({ ctx, input }) => {
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
});
