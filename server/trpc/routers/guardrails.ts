import "server-only";

import {
  createGuardrailInput,
  deleteGuardrailInput,
  duplicateGuardrailInput,
  getGuardrailInput,
  testGuardrailInput,
  updateGuardrailInput,
} from "@/lib/schemas/guardrails";
import {
  createGuardrail,
  deleteGuardrail,
  duplicateGuardrail,
  getGuardrail,
  listGuardrails,
  updateGuardrail,
} from "@/server/services/catalog/guardrails";
import { testGuardrailRules } from "@/server/services/catalog/guardrail-test";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const guardrailsRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listGuardrails(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(getGuardrailInput)
    .query(({ ctx, input }) => getGuardrail(ctx.db, ctx.tenant.id, input.guardrailId)),

  /** What rules, saved or not, do to a text: the runtime's checks, nothing stored. */
  test: tenantProcedure
    .input(testGuardrailInput)
    .mutation(({ input }) => testGuardrailRules(input.rules, input.text)),

  create: roleProcedure("admin")
    .input(createGuardrailInput)
    .mutation(({ ctx, input }) =>
      createGuardrail(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  update: roleProcedure("admin")
    .input(updateGuardrailInput)
    .mutation(({ ctx, input }) =>
      updateGuardrail(
        ctx.db,
        { tenantId: ctx.tenant.id, guardrailId: input.guardrailId, audit: ctx.audit },
        input.guardrail,
      ),
    ),

  duplicate: roleProcedure("admin")
    .input(duplicateGuardrailInput)
    .mutation(({ ctx, input }) =>
      duplicateGuardrail(ctx.db, {
        tenantId: ctx.tenant.id,
        guardrailId: input.guardrailId,
        audit: ctx.audit,
      }),
    ),

  delete: roleProcedure("admin")
    .input(deleteGuardrailInput)
    .mutation(({ ctx, input }) =>
      deleteGuardrail(ctx.db, {
        tenantId: ctx.tenant.id,
        guardrailId: input.guardrailId,
        audit: ctx.audit,
      }),
    ),
});
