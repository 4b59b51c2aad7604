import "server-only";

import {
  createTemplateInput,
  deleteTemplateInput,
  duplicateTemplateInput,
  getTemplateInput,
  updateTemplateInput,
} from "@/lib/schemas/templates";
import {
  createTemplate,
  deleteTemplate,
  duplicateTemplate,
  getTemplate,
  listTemplates,
  updateTemplate,
} from "@/server/services/catalog/templates";
import { templateLimits } from "@/server/services/catalog/template-options";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const templatesRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listTemplates(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(getTemplateInput)
    .query(({ ctx, input }) => getTemplate(ctx.db, ctx.tenant.id, input.templateId)),

  limits: tenantProcedure.query(() => templateLimits()),

  create: roleProcedure("admin")
    .input(createTemplateInput)
    .mutation(({ ctx, input }) =>
      createTemplate(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  update: roleProcedure("admin")
    .input(updateTemplateInput)
    .mutation(({ ctx, input }) =>
      updateTemplate(
        ctx.db,
        { tenantId: ctx.tenant.id, templateId: input.templateId, audit: ctx.audit },
        input.template,
      ),
    ),

  duplicate: roleProcedure("admin")
    .input(duplicateTemplateInput)
    .mutation(({ ctx, input }) =>
      duplicateTemplate(ctx.db, {
        tenantId: ctx.tenant.id,
        templateId: input.templateId,
        audit: ctx.audit,
      }),
    ),

  delete: roleProcedure("admin")
    .input(deleteTemplateInput)
    .mutation(({ ctx, input }) =>
      deleteTemplate(ctx.db, {
        tenantId: ctx.tenant.id,
        templateId: input.templateId,
        audit: ctx.audit,
      }),
    ),
});
