import "server-only";
import { and, count, eq } from "drizzle-orm";
import { KNOWLEDGE_SEARCH_LIMIT, MAX_DOCUMENTS_PER_KNOWLEDGE_BASE } from "@/lib/knowledge-bases";
import type { UploadDocumentsInput } from "@/lib/schemas/knowledge-bases";
import type { Database } from "@/server/db/client";
import { kbDocuments, knowledgeBases } from "@/server/db/schema";
import { recordAudit } from "@/server/services/access/audit";
import { readDocument, type ReadDocument } from "./document-text";
import {
  knowledgeAudit,
  lockKnowledgeBase,
  searchKnowledgeBases,
  textBytes,
  type KnowledgeScope,
} from "./knowledge";
import {
  DocumentsRefusedError,
  KbDocumentNotFoundError,
  KnowledgeBaseNotFoundError,
} from "./knowledge-errors";

async function knowledgeBaseExists(db: Database, tenantId: string, knowledgeBaseId: string) {
  const [row] = await db
    .select({ id: knowledgeBases.id })
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.id, knowledgeBaseId), eq(knowledgeBases.tenantId, tenantId)));
  if (!row) throw new KnowledgeBaseNotFoundError(knowledgeBaseId);
  return row.id;
}

/**
 * Adds documents to a knowledge base, all or nothing: every file is read first (Markdown, text,
 * or PDF text), and if any is refused (type, size, no text) or they would take the knowledge
 * base past its document limit, nothing is stored and every refused file is named.
 */
export async function uploadDocuments(
  db: Database,
  scope: KnowledgeScope,
  input: UploadDocumentsInput,
) {
  await knowledgeBaseExists(db, scope.tenantId, input.knowledgeBaseId);
  const outcomes = [];
  // One at a time: a PDF's extraction holds its pages in memory.
  for (const file of input.files) outcomes.push(await readDocument(file));
  const problems = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.problem]));
  if (problems.length) throw new DocumentsRefusedError(problems);
  const documents = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.document] : []));
  return db.transaction(async (tx) => {
    // Locked so two uploads at once cannot both fit under the limit.
    const knowledgeBase = await lockKnowledgeBase(tx, scope.tenantId, input.knowledgeBaseId);
    const [{ stored } = { stored: 0 }] = await tx
      .select({ stored: count() })
      .from(kbDocuments)
      .where(eq(kbDocuments.knowledgeBaseId, knowledgeBase.id));
    refuseOverLimit(knowledgeBase.name, stored, documents);
    const inserted = await tx
      .insert(kbDocuments)
      .values(
        documents.map((document) => ({
          tenantId: scope.tenantId,
          knowledgeBaseId: knowledgeBase.id,
          title: document.title,
          content: document.content,
        })),
      )
      .returning({ id: kbDocuments.id, title: kbDocuments.title });
    await tx
      .update(knowledgeBases)
      .set({ updatedAt: new Date() })
      .where(eq(knowledgeBases.id, knowledgeBase.id));
    await recordAudit(
      tx,
      // RETURNING gives the rows in the order of the VALUES list.
      inserted.map((row, index) =>
        knowledgeAudit(
          scope,
          "kb_document.upload",
          { type: "kb_document", id: row.id },
          {
            name: row.title,
            fileName: documents[index]?.fileName ?? null,
            kind: documents[index]?.kind ?? null,
            bytes: documents[index]?.bytes ?? null,
            knowledgeBase: knowledgeBase.name,
          },
        ),
      ),
    );
    return { documents: inserted };
  });
}

function refuseOverLimit(name: string, stored: number, documents: ReadDocument[]) {
  const room = Math.max(0, MAX_DOCUMENTS_PER_KNOWLEDGE_BASE - stored);
  if (documents.length <= room) return;
  const left = documents.slice(room).map((document) => document.fileName);
  throw new DocumentsRefusedError([
    `${name} holds ${stored} of its ${MAX_DOCUMENTS_PER_KNOWLEDGE_BASE} documents, so ${room === 0 ? "no file" : `only ${room} more`} fits; ${left.join(", ")} would go over the limit. Delete documents or upload fewer.`,
  ]);
}

export async function deleteKbDocument(
  db: Database,
  scope: KnowledgeScope & { documentId: string },
) {
  return db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(kbDocuments)
      .where(and(eq(kbDocuments.id, scope.documentId), eq(kbDocuments.tenantId, scope.tenantId)))
      .returning({
        id: kbDocuments.id,
        title: kbDocuments.title,
        knowledgeBaseId: kbDocuments.knowledgeBaseId,
        bytes: textBytes,
      });
    if (!deleted) throw new KbDocumentNotFoundError(scope.documentId);
    const [knowledgeBase] = await tx
      .select({ name: knowledgeBases.name })
      .from(knowledgeBases)
      .where(eq(knowledgeBases.id, deleted.knowledgeBaseId));
    await recordAudit(
      tx,
      knowledgeAudit(
        scope,
        "kb_document.delete",
        { type: "kb_document", id: deleted.id },
        { name: deleted.title, knowledgeBase: knowledgeBase?.name ?? null, bytes: deleted.bytes },
      ),
    );
    return { id: deleted.id, knowledgeBaseId: deleted.knowledgeBaseId };
  });
}

/**
 * The console's search box: exactly what the agent's `search_knowledge_base` tool returns for
 * this query, given an agent with only this knowledge base and the tool's default limit.
 */
export async function searchKnowledgeBase(
  db: Database,
  search: { tenantId: string; knowledgeBaseId: string; query: string },
) {
  const [knowledgeBase] = await db
    .select({ id: knowledgeBases.id })
    .from(knowledgeBases)
    .where(
      and(
        eq(knowledgeBases.id, search.knowledgeBaseId),
        eq(knowledgeBases.tenantId, search.tenantId),
      ),
    );
  if (!knowledgeBase) throw new KnowledgeBaseNotFoundError(search.knowledgeBaseId);
  const hits = await searchKnowledgeBases(db, {
    tenantId: search.tenantId,
    knowledgeBaseIds: [knowledgeBase.id],
    query: search.query,
    limit: KNOWLEDGE_SEARCH_LIMIT,
  });
  return { limit: KNOWLEDGE_SEARCH_LIMIT, hits };
}
