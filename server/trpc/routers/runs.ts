import "server-only";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/server/db/schema/enums";
import { getRun, listRunEvents, listRuns } from "@/server/services/runs/run-queries";
import { cancelRun, rerunRun, startRun } from "@/server/services/runs/runs";
import { isCancellable } from "@/lib/enums";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";
import { mapServiceErrors } from "../service-errors";

const inputs = z.record(z.string(), z.unknown());
const runId = z.object({ runId: z.uuid() });

export const runsRouter = createTRPCRouter({
  start: roleProcedure("operator")
    .input(
      z.object({
        skillSlug: z.string().min(1).max(200),
        agentId: z.uuid().optional(),
        inputs,
        idempotencyKey: z.string().min(1).max(200).optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      mapServiceErrors(async () => {
        const { run, created } = await startRun(
          { db: ctx.db, dispatcher: ctx.dispatcher },
          {
            tenantId: ctx.tenant.id,
            skill: { slug: input.skillSlug },
            agentId: input.agentId,
            inputs: input.inputs,
            source: "manual",
            invoker: { userId: ctx.user.id },
            idempotencyKey: input.idempotencyKey,
          },
          ctx.audit,
        );
        return { runId: run.id, status: run.status, created };
      }),
    ),

  cancel: roleProcedure("operator")
    .input(runId)
    .mutation(({ ctx, input }) =>
      mapServiceErrors(async () => {
        await cancelRun(
          { db: ctx.db, dispatcher: ctx.dispatcher },
          { tenantId: ctx.tenant.id, runId: input.runId, userId: ctx.user.id },
          ctx.audit,
        );
        return { runId: input.runId, status: "cancelled" as const };
      }),
    ),

  rerun: roleProcedure("operator")
    .input(runId.extend({ inputs: inputs.optional(), agentId: z.uuid().nullable().optional() }))
    .mutation(({ ctx, input }) =>
      mapServiceErrors(async () => {
        const started = await rerunRun(
          { db: ctx.db, dispatcher: ctx.dispatcher },
          {
            tenantId: ctx.tenant.id,
            runId: input.runId,
            inputs: input.inputs,
            agentId: input.agentId,
            invoker: { userId: ctx.user.id },
          },
          ctx.audit,
        );
        return {
          runId: started.run.id,
          status: started.run.status,
          skillChangedSinceOriginal: started.skillChangedSinceOriginal,
        };
      }),
    ),

  get: tenantProcedure.input(runId).query(async ({ ctx, input }) => {
    const run = await getRun(ctx.db, ctx.tenant.id, input.runId);
    if (!run)
      throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} was not found.` });
    return { ...run, cancellable: isCancellable(run.status) };
  }),

  list: tenantProcedure
    .input(
      z.object({
        status: z.enum(RUN_STATUSES).optional(),
        skillId: z.uuid().optional(),
        agentId: z.uuid().optional(),
        source: z.enum(INVOCATION_SOURCES).optional(),
        failureCode: z.enum(FAILURE_CODES).optional(),
        createdAfter: z.date().optional(),
        createdBefore: z.date().optional(),
        cursor: z.object({ createdAt: z.date(), id: z.uuid() }).nullish(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(async ({ ctx, input }) => {
      const { cursor, limit, ...filters } = input;
      const page = await listRuns(ctx.db, ctx.tenant.id, { filters, cursor, limit });
      return {
        ...page,
        runs: page.runs.map((run) => ({ ...run, cancellable: isCancellable(run.status) })),
      };
    }),

  events: tenantProcedure
    .input(runId.extend({ afterId: z.number().int().min(0).default(0) }))
    .query(async ({ ctx, input }) => {
      if (!(await getRun(ctx.db, ctx.tenant.id, input.runId)))
        throw new TRPCError({ code: "NOT_FOUND", message: `Run ${input.runId} was not found.` });
      return listRunEvents(ctx.db, ctx.tenant.id, input.runId, input.afterId);
    }),
});
