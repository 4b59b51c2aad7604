import "server-only";
import { and, asc, count, eq, inArray, ne, sql } from "drizzle-orm";
import { auditChanges } from "@/lib/audit-changes";
import type { AuditAction } from "@/lib/enums";
import type { KnowledgeBaseInput } from "@/lib/schemas/knowledge-bases";
import type { KnowledgeBaseHit } from "@/server/agent/turn";
import type { Database, Transaction } from "@/server/db/client";
import { agentKnowledgeBases, agents, kbDocuments, knowledgeBases } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { KnowledgeBaseNameTakenError, KnowledgeBaseNotFoundError } from "./knowledge-errors";
import { nameRaceAsConflict } from "./names";

/**
 * Full-text search over some knowledge bases of a tenant: the best matching documents, each
 * with a snippet around the match. Only the tenant's own documents are searched, whatever ids
 * are asked for.
 */
export async function searchKnowledgeBases(
  db: Database,
  search: { tenantId: string; knowledgeBaseIds: string[]; query: string; limit: number },
): Promise<KnowledgeBaseHit[]> {
  if (search.knowledgeBaseIds.length === 0) return [];
  const tsQuery = sql`websearch_to_tsquery('english', ${search.query})`;
  return db
    .select({
      title: kbDocuments.title,
      snippet: sql<string>`ts_headline('english', ${kbDocuments.content}, ${tsQuery}, 'MaxWords=40, MinWords=15')`,
      rank: sql<number>`ts_rank(${kbDocuments.searchVector}, ${tsQuery})`,
    })
    .from(kbDocuments)
    .where(
      and(
        eq(kbDocuments.tenantId, search.tenantId),
        inArray(kbDocuments.knowledgeBaseId, search.knowledgeBaseIds),
        sql`${kbDocuments.searchVector} @@ ${tsQuery}`,
      ),
    )
    .orderBy(sql`ts_rank(${kbDocuments.searchVector}, ${tsQuery}) desc`)
    .limit(search.limit);
}

/** A change to the tenant's knowledge bases, and who makes it (written with the change). */
export type KnowledgeScope = { tenantId: string; audit: AuditContext };

export const knowledgeAudit = (
  scope: KnowledgeScope,
  action: Extract<AuditAction, `knowledge_base.${string}` | `kb_document.${string}`>,
  target: { type: "knowledge_base" | "kb_document"; id: string },
  metadata: Record<string, unknown>,
) => ({ tenantId: scope.tenantId, ...scope.audit, action, target, metadata });

/** The stored text's size in bytes: what the search reads (a PDF's extracted text, not the file). */
export const textBytes = sql<number>`octet_length(${kbDocuments.content})::int`;

/** The tenant's knowledge bases by name, each with its document count and total text size. */
export async function listKnowledgeBases(db: Database, tenantId: string) {
  const stats = db
    .select({
      knowledgeBaseId: kbDocuments.knowledgeBaseId,
      documents: count().as("documents"),
      bytes: sql<number>`sum(octet_length(${kbDocuments.content}))::bigint`.as("bytes"),
    })
    .from(kbDocuments)
    .where(eq(kbDocuments.tenantId, tenantId))
    .groupBy(kbDocuments.knowledgeBaseId)
    .as("stats");
  const rows = await db
    .select({
      id: knowledgeBases.id,
      name: knowledgeBases.name,
      description: knowledgeBases.description,
      updatedAt: knowledgeBases.updatedAt,
      documentCount: sql<number>`coalesce(${stats.documents}, 0)::int`,
      totalBytes: sql<number>`coalesce(${stats.bytes}, 0)::float8`,
    })
    .from(knowledgeBases)
    .leftJoin(stats, eq(stats.knowledgeBaseId, knowledgeBases.id))
    .where(eq(knowledgeBases.tenantId, tenantId))
    .orderBy(asc(knowledgeBases.name));
  return rows;
}

/** The agents of the tenant that may search this knowledge base, by name. */
async function agentsUsing(db: Database | Transaction, tenantId: string, knowledgeBaseId: string) {
  return db
    .select({ id: agents.id, name: agents.name })
    .from(agentKnowledgeBases)
    .innerJoin(agents, eq(agents.id, agentKnowledgeBases.agentId))
    .where(
      and(eq(agents.tenantId, tenantId), eq(agentKnowledgeBases.knowledgeBaseId, knowledgeBaseId)),
    )
    .orderBy(asc(agents.name));
}

/** One knowledge base with its documents (newest first) and the agents that search it. */
export async function getKnowledgeBase(db: Database, tenantId: string, knowledgeBaseId: string) {
  const [knowledgeBase] = await db
    .select({
      id: knowledgeBases.id,
      name: knowledgeBases.name,
      description: knowledgeBases.description,
      createdAt: knowledgeBases.createdAt,
      updatedAt: knowledgeBases.updatedAt,
    })
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.id, knowledgeBaseId), eq(knowledgeBases.tenantId, tenantId)));
  if (!knowledgeBase) throw new KnowledgeBaseNotFoundError(knowledgeBaseId);
  const [documents, usedBy] = await Promise.all([
    db
      .select({
        id: kbDocuments.id,
        title: kbDocuments.title,
        bytes: textBytes,
        createdAt: kbDocuments.createdAt,
      })
      .from(kbDocuments)
      .where(
        and(eq(kbDocuments.knowledgeBaseId, knowledgeBaseId), eq(kbDocuments.tenantId, tenantId)),
      )
      .orderBy(sql`${kbDocuments.createdAt} desc`, asc(kbDocuments.title)),
    agentsUsing(db, tenantId, knowledgeBaseId),
  ]);
  return { ...knowledgeBase, documents, usedBy };
}

/** The knowledge base's row, locked for the change, or not found (unknown and foreign alike). */
export async function lockKnowledgeBase(
  tx: Transaction,
  tenantId: string,
  knowledgeBaseId: string,
) {
  const [row] = await tx
    .select({
      id: knowledgeBases.id,
      name: knowledgeBases.name,
      description: knowledgeBases.description,
    })
    .from(knowledgeBases)
    .where(and(eq(knowledgeBases.id, knowledgeBaseId), eq(knowledgeBases.tenantId, tenantId)))
    .for("update");
  if (!row) throw new KnowledgeBaseNotFoundError(knowledgeBaseId);
  return row;
}

async function refuseTakenName(
  tx: Transaction,
  tenantId: string,
  name: string,
  exceptId: string | null,
) {
  const [taken] = await tx
    .select({ id: knowledgeBases.id })
    .from(knowledgeBases)
    .where(
      and(
        eq(knowledgeBases.tenantId, tenantId),
        eq(knowledgeBases.name, name),
        exceptId ? ne(knowledgeBases.id, exceptId) : undefined,
      ),
    );
  if (taken) throw new KnowledgeBaseNameTakenError(name);
}

const FIELD_LABELS = { name: "Name", description: "Description" };

export async function createKnowledgeBase(
  db: Database,
  scope: KnowledgeScope,
  input: KnowledgeBaseInput,
) {
  return db.transaction(async (tx) => {
    await refuseTakenName(tx, scope.tenantId, input.name, null);
    const [created] = await tx
      .insert(knowledgeBases)
      .values({ tenantId: scope.tenantId, name: input.name, description: input.description })
      .onConflictDoNothing()
      .returning({ id: knowledgeBases.id });
    if (!created) throw new KnowledgeBaseNameTakenError(input.name);
    await recordAudit(
      tx,
      knowledgeAudit(
        scope,
        "knowledge_base.create",
        { type: "knowledge_base", id: created.id },
        { name: input.name, changes: auditChanges(null, input, FIELD_LABELS) },
      ),
    );
    return created;
  });
}

export async function updateKnowledgeBase(
  db: Database,
  scope: KnowledgeScope & { knowledgeBaseId: string },
  input: KnowledgeBaseInput,
) {
  return db
    .transaction(async (tx) => {
      const before = await lockKnowledgeBase(tx, scope.tenantId, scope.knowledgeBaseId);
      await refuseTakenName(tx, scope.tenantId, input.name, before.id);
      await tx
        .update(knowledgeBases)
        .set({ name: input.name, description: input.description, updatedAt: new Date() })
        .where(eq(knowledgeBases.id, before.id));
      const changes = auditChanges(
        { name: before.name, description: before.description },
        input,
        FIELD_LABELS,
      );
      if (changes.length)
        await recordAudit(
          tx,
          knowledgeAudit(
            scope,
            "knowledge_base.update",
            { type: "knowledge_base", id: before.id },
            { name: input.name, changes },
          ),
        );
      return { id: before.id };
    })
    .catch(
      nameRaceAsConflict(
        "knowledge_bases_tenant_id_name_index",
        () => new KnowledgeBaseNameTakenError(input.name),
      ),
    );
}

/**
 * Deletes a knowledge base and its documents. The agents that searched it lose it (their links
 * cascade); the answer and the audit entry name them.
 */
export async function deleteKnowledgeBase(
  db: Database,
  scope: KnowledgeScope & { knowledgeBaseId: string },
) {
  return db.transaction(async (tx) => {
    const before = await lockKnowledgeBase(tx, scope.tenantId, scope.knowledgeBaseId);
    const usedBy = await agentsUsing(tx, scope.tenantId, before.id);
    const [{ documents } = { documents: 0 }] = await tx
      .select({ documents: count() })
      .from(kbDocuments)
      .where(eq(kbDocuments.knowledgeBaseId, before.id));
    await tx.delete(knowledgeBases).where(eq(knowledgeBases.id, before.id));
    await recordAudit(
      tx,
      knowledgeAudit(
        scope,
        "knowledge_base.delete",
        { type: "knowledge_base", id: before.id },
        { name: before.name, documents, removedFromAgents: usedBy.map((agent) => agent.name) },
      ),
    );
    return { id: before.id, removedFromAgents: usedBy };
  });
}
