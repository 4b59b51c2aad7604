import "server-only";

import {
  cancelRunInput,
  getRunInput,
  listRunEventsInput,
  listRunsInput,
  rerunRunInput,
  runSourceNamesInput,
  setRunTagsInput,
  startRunInput,
} from "@/lib/schemas/runs";
import { deleteRunInput } from "@/lib/schemas/retention";
import { deleteRun } from "@/server/services/runs/run-delete";
import {
  getRun,
  listRunEvents,
  listRuns,
  runSourceNames,
} from "@/server/services/runs/run-queries";
import { cancelRun, rerunRun, startRun } from "@/server/services/runs/runs";
import { setRunTags } from "@/server/services/runs/run-tags";
import { isCancellable } from "@/lib/enums";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const runsRouter = createTRPCRouter({
  start: roleProcedure("operator")
    .input(startRunInput)
    .mutation(async ({ ctx, input }) => {
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
          tags: input.tags,
        },
        ctx.audit,
      );
      return { runId: run.id, status: run.status, created };
    }),

  cancel: roleProcedure("operator")
    .input(cancelRunInput)
    .mutation(async ({ ctx, input }) => {
      await cancelRun(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        { tenantId: ctx.tenant.id, runId: input.runId, userId: ctx.user.id },
        ctx.audit,
      );
      return { runId: input.runId, status: "cancelled" as const };
    }),

  rerun: roleProcedure("operator")
    .input(rerunRunInput)
    .mutation(async ({ ctx, input }) => {
      const started = await rerunRun(
        { db: ctx.db, dispatcher: ctx.dispatcher },
        {
          tenantId: ctx.tenant.id,
          runId: input.runId,
          inputs: input.inputs,
          agentId: input.agentId,
          tags: input.tags,
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

  setTags: roleProcedure("operator")
    .input(setRunTagsInput)
    .mutation(({ ctx, input }) =>
      setRunTags(
        ctx.db,
        { tenantId: ctx.tenant.id, runId: input.runId, tags: input.tags },
        ctx.audit,
      ),
    ),

  /** An ended run and its timeline, for good; admins only, audited. */
  delete: roleProcedure("admin")
    .input(deleteRunInput)
    .mutation(({ ctx, input }) =>
      deleteRun(ctx.db, { tenantId: ctx.tenant.id, runId: input.runId }, ctx.audit),
    ),

  get: tenantProcedure.input(getRunInput).query(async ({ ctx, input }) => {
    const run = await getRun(ctx.db, ctx.tenant.id, input.runId);
    return { ...run, cancellable: isCancellable(run.status) };
  }),

  list: tenantProcedure.input(listRunsInput).query(async ({ ctx, input }) => {
    const { cursor, limit, ...filters } = input;
    const page = await listRuns(ctx.db, ctx.tenant.id, { filters, cursor, limit });
    return {
      ...page,
      runs: page.runs.map((run) => ({ ...run, cancellable: isCancellable(run.status) })),
    };
  }),

  sourceNames: tenantProcedure
    .input(runSourceNamesInput)
    .query(({ ctx, input }) => runSourceNames(ctx.db, ctx.tenant.id, input)),

  events: tenantProcedure
    .input(listRunEventsInput)
    .query(({ ctx, input }) => listRunEvents(ctx.db, ctx.tenant.id, input.runId)),
});
