import "server-only";

import {
  createKnowledgeBaseInput,
  deleteKbDocumentInput,
  deleteKnowledgeBaseInput,
  getKnowledgeBaseInput,
  searchKnowledgeBaseInput,
  updateKnowledgeBaseInput,
  uploadDocumentsInput,
} from "@/lib/schemas/knowledge-bases";
import {
  createKnowledgeBase,
  deleteKnowledgeBase,
  getKnowledgeBase,
  listKnowledgeBases,
  updateKnowledgeBase,
} from "@/server/services/catalog/knowledge";
import {
  deleteKbDocument,
  searchKnowledgeBase,
  uploadDocuments,
} from "@/server/services/catalog/knowledge-documents";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../init";

export const knowledgeBasesRouter = createTRPCRouter({
  list: tenantProcedure.query(({ ctx }) => listKnowledgeBases(ctx.db, ctx.tenant.id)),

  get: tenantProcedure
    .input(getKnowledgeBaseInput)
    .query(({ ctx, input }) => getKnowledgeBase(ctx.db, ctx.tenant.id, input.knowledgeBaseId)),

  /** What the agent's `search_knowledge_base` tool would return: every member may ask. */
  search: tenantProcedure
    .input(searchKnowledgeBaseInput)
    .query(({ ctx, input }) => searchKnowledgeBase(ctx.db, { tenantId: ctx.tenant.id, ...input })),

  create: roleProcedure("admin")
    .input(createKnowledgeBaseInput)
    .mutation(({ ctx, input }) =>
      createKnowledgeBase(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  update: roleProcedure("admin")
    .input(updateKnowledgeBaseInput)
    .mutation(({ ctx, input }) =>
      updateKnowledgeBase(
        ctx.db,
        { tenantId: ctx.tenant.id, knowledgeBaseId: input.knowledgeBaseId, audit: ctx.audit },
        input.knowledgeBase,
      ),
    ),

  delete: roleProcedure("admin")
    .input(deleteKnowledgeBaseInput)
    .mutation(({ ctx, input }) =>
      deleteKnowledgeBase(ctx.db, {
        tenantId: ctx.tenant.id,
        knowledgeBaseId: input.knowledgeBaseId,
        audit: ctx.audit,
      }),
    ),

  /** Multipart form data (`uploadDocumentsForm`); the one procedure allowed a large body. */
  upload: roleProcedure("admin")
    .input(uploadDocumentsInput)
    .mutation(({ ctx, input }) =>
      uploadDocuments(ctx.db, { tenantId: ctx.tenant.id, audit: ctx.audit }, input),
    ),

  deleteDocument: roleProcedure("admin")
    .input(deleteKbDocumentInput)
    .mutation(({ ctx, input }) =>
      deleteKbDocument(ctx.db, {
        tenantId: ctx.tenant.id,
        documentId: input.documentId,
        audit: ctx.audit,
      }),
    ),
});
