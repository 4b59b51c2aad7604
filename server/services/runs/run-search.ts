import "server-only";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
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

/**
 * How a search page reads the history (see newestSearchMatches): the newest `firstRows` runs
 * (matching the other filters) one by one; when they hold at least `denseHits` matches but not
 * a page, up to `denseRows` more; then the search's GIN index.
 */
export type SearchWalk = { firstRows: number; denseHits: number; denseRows: number };

/**
 * About 1,700 runs hold a page of a word in 3 % of them. Ten hits in 2,000 (0.5 %) promise the
 * rest of a page within ≈ 8,000 more; 20,000 bounds a guess that was wrong.
 */
export const SEARCH_WALK: SearchWalk = { firstRows: 2_000, denseHits: 10, denseRows: 20_000 };

/**
 * The ids of the newest `limit` runs that match `narrowing` (the other filters and the cursor)
 * and `search`, in three parts under one limit:
 * 1. the newest `firstRows` runs of `narrowing`, read newest first through its index and
 *    tested against the search, stopping at `limit` hits;
 * 2. only when part 1 found at least `denseHits` but too few, the next `denseRows` runs, read
 *    the same way: a word just below part 1's density fills its page here;
 * 3. only when those hold too few, every older match, found through the search's GIN index and
 *    sorted (the `offset 0` keeps PostgreSQL from walking an index for this part, and the
 *    bound's `+ interval '0 seconds'` from ANDing the bitmap with most of the history's index:
 *    a guessed third of the rows, costing 50–230 ms of a rare word's page).
 * PostgreSQL runs an Append's parts in order and the limit stops it once it has its rows; a
 * part with a LIMIT never runs in a parallel worker, so the order holds. Each part starts below
 * the last run the part before could read, so no run is in two, and none is left out.
 *
 * Why: the planner cannot know how often a word is rare (its statistics keep only the
 * commonest lexemes, and guess any other at 0.4 % or more), so it walked the history newest
 * first for rare and absent words too, testing every run's search document: 8–30 s over
 * 1,000,000 runs. A common word fills its page within part 1, a middling one within part 2;
 * a rare one costs part 1's bounded walk and a small bitmap. Without part 2, a word with 46
 * hits in part 1 fetched and sorted all its 15,429 older matches for the last five (290 ms).
 */
export function newestSearchMatches(
  narrowing: SQL | undefined,
  text: string,
  limit: number,
  walk: SearchWalk = SEARCH_WALK,
) {
  const newestFirst = sql`order by ${skillRuns.createdAt} desc, ${skillRuns.id} desc`;
  const count = (rows: number) => sql.raw(String(rows));
  const take = count(limit);
  /** The run at `offset` in `narrowing`'s newest-first order (none past its end). */
  const runAt = (offset: number) =>
    sql`(select ${skillRuns.createdAt}, ${skillRuns.id} from ${skillRuns} where ${narrowing} ${newestFirst} offset ${count(offset)} limit 1)`;
  const lastOfFirst = runAt(walk.firstRows - 1);
  const lastOfDense = runAt(walk.firstRows + walk.denseRows - 1);
  const hitsOfWalk = (where: SQL | undefined, rows: number, when: SQL = sql`true`) =>
    sql`select walked.id from (select ${skillRuns.id} as id, ${skillRuns.createdAt} as created_at, ${skillRuns.searchDocument} as search_document from ${skillRuns} where ${where} ${newestFirst} limit ${count(rows)}) as walked where ${when} and walked.search_document @@ ${searchQuery(text)} order by walked.created_at desc, walked.id desc limit ${take}`;
  const dense = sql`(select count(*) from first_hits) >= ${count(walk.denseHits)}`;
  const firstHits = hitsOfWalk(narrowing, walk.firstRows);
  const denseHits = hitsOfWalk(
    and(narrowing, sql`(${skillRuns.createdAt}, ${skillRuns.id}) < ${lastOfFirst}`),
    walk.denseRows,
    dense,
  );
  const fenced = sql`(${skillRuns.createdAt} + interval '0 seconds', ${skillRuns.id})`;
  const belowTheWalks = sql`case when ${dense} then ${fenced} < ${lastOfDense} else ${fenced} < ${lastOfFirst} end`;
  const olderHits = sql`select older.id from (select ${skillRuns.id} as id, ${skillRuns.createdAt} as created_at from ${skillRuns} where ${and(narrowing, matchesSearch(text), belowTheWalks)} offset 0) as older order by older.created_at desc, older.id desc limit ${take}`;
  return sql`with first_hits as materialized (${firstHits}) select hit.id from ((select id from first_hits) union all (${denseHits}) union all (${olderHits})) as hit limit ${take}`;
}

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
