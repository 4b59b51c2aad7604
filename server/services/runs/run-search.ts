import "server-only";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { skillRuns } from "@/server/db/schema";

/**
 * The history's search: the words of a query, web-search style (`"a phrase"`, `or`, `-word`),
 * as `websearch_to_tsquery`, which never fails on what a person types. The `simple`
 * configuration, as the column's (server/db/schema/runs.ts `searchDocument`).
 */
export const searchQuery = (text: string) =>
  sql`websearch_to_tsquery('simple'::regconfig, ${text})`;

export const matchesSearch = (text: string) =>
  sql`${skillRuns.searchDocument} @@ ${searchQuery(text)}`;

/** A list row's search hit: where the words were found and the words around them, the matches marked. */
export type SearchHit = {
  field: "deliverable" | "inputs";
  parts: { text: string; match: boolean }[];
};

/** How much of each text a snippet is cut from: ts_headline parses all it is given. */
const HEADLINE_SOURCE_CHARS = 20_000;
const START = "\u0002";
const STOP = "\u0003";
const HEADLINE_OPTIONS = `StartSel=${START}, StopSel=${STOP}, MaxWords=20, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "`;

/** `text` as a snippet's parts; null when nothing in it was marked as a match. */
function parseHeadline(text: string | null): SearchHit["parts"] | null {
  if (!text || !text.includes(START)) return null;
  const parts: SearchHit["parts"] = [];
  for (const [index, piece] of text.split(new RegExp(`[${START}${STOP}]`)).entries()) {
    const collapsed = piece.replace(/\s+/g, " ");
    if (collapsed) parts.push({ text: collapsed, match: index % 2 === 1 });
  }
  return parts;
}

/**
 * Snippets of the page's rows only, each from the run's deliverable when the words are there,
 * else from its inputs' values. The marker characters are taken out of the texts first, so a
 * text cannot fake a match.
 */
export async function searchHits(
  db: Database,
  tenantId: string,
  runIds: string[],
  text: string,
): Promise<Map<string, SearchHit>> {
  if (runIds.length === 0) return new Map();
  const clean = (source: ReturnType<typeof sql>) =>
    sql`translate(left(${source}, ${sql.raw(String(HEADLINE_SOURCE_CHARS))}), ${START + STOP}, '  ')`;
  const inputsText = sql`(select string_agg(value, ' · ') from jsonb_each_text(${skillRuns.inputs}))`;
  const rows = await db
    .select({
      id: skillRuns.id,
      deliverable: sql<
        string | null
      >`ts_headline('simple'::regconfig, ${clean(sql`coalesce(${skillRuns.deliverable} ->> 'payload', '')`)}, ${searchQuery(text)}, ${HEADLINE_OPTIONS})`,
      inputs: sql<
        string | null
      >`ts_headline('simple'::regconfig, ${clean(sql`coalesce(${inputsText}, '')`)}, ${searchQuery(text)}, ${HEADLINE_OPTIONS})`,
    })
    .from(skillRuns)
    .where(and(eq(skillRuns.tenantId, tenantId), inArray(skillRuns.id, runIds)));
  const hits = new Map<string, SearchHit>();
  for (const row of rows) {
    const deliverable = parseHeadline(row.deliverable);
    const inputs = deliverable ? null : parseHeadline(row.inputs);
    if (deliverable) hits.set(row.id, { field: "deliverable", parts: deliverable });
    else if (inputs) hits.set(row.id, { field: "inputs", parts: inputs });
  }
  return hits;
}
