import "server-only";

import {
  exportSkillArchiveInput,
  importSkillArchiveInput,
  previewSkillImportInput,
} from "@/lib/schemas/skill-archives";
import {
  exportSkillArchive,
  importSkillArchive,
  previewSkillImport,
} from "@/server/services/catalog/skill-archive";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

/** A skill as a zip in the Agent Skills layout: every member exports, admins import. */
export const skillArchivesRouter = createTRPCRouter({
  export: tenantProcedure
    .input(exportSkillArchiveInput)
    .query(({ ctx, input }) => exportSkillArchive(ctx.db, ctx.tenant.id, input)),

  // A mutation though it writes nothing: the zip travels in the request body, not the URL.
  previewImport: roleProcedure("admin")
    .input(previewSkillImportInput)
    .mutation(({ ctx, input }) =>
      previewSkillImport(ctx.db, ctx.tenant.id, {
        archive: Buffer.from(input.archive, "base64"),
        slug: input.slug,
      }),
    ),

  import: roleProcedure("admin")
    .input(importSkillArchiveInput)
    .mutation(({ ctx, input }) =>
      importSkillArchive(
        ctx.db,
        { tenantId: ctx.tenant.id, userId: ctx.user.id, audit: ctx.audit },
        { ...input, archive: Buffer.from(input.archive, "base64") },
      ),
    ),
});
