import { and, eq, inArray, sql } from "drizzle-orm";
import type { KnowledgeBaseHit } from "@/server/agent/turn";
import type { Database } from "@/server/db/client";
import { kbDocuments } from "@/server/db/schema";

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
