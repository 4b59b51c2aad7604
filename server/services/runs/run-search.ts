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
 * How far back from its anchor each step of a search's walk reaches, in days; the last step
 * takes everything older. See newestSearchMatches.
 */
const SEARCH_WINDOW_DAYS = [1, 7, 30, 180] as const;

/** What bounds a search's page from above: its cursor and the range's end. */
type SearchPage = { cursor?: { createdAt: Date } | null; createdBefore?: Date };

/**
 * Where a search's walk starts: the newest instant its page can hold (the cursor, the range's
 * end, the database's now, whichever is earliest). Only the windows' bounds depend on it, so a
 * row newer than it (a clock step) is still found, in the first window.
 */
function searchAnchor(page: SearchPage) {
  const bounds = [page.cursor?.createdAt, page.createdBefore].flatMap((bound) =>
    bound ? [sql`${sql.param(bound, skillRuns.createdAt)}`] : [],
  );
  return sql`least(now(), ${sql.join(bounds.length ? bounds : [sql`null`], sql`, `)})`;
}

/**
 * The ids of the newest `limit` runs that match (a search among the conditions), found window
 * by window back in time: a `union all` of one ordered, limited query per window, newest
 * window first, under one `limit`. PostgreSQL runs an Append's parts in order and the limit
 * stops it once it has its rows, so the older windows are never read when the newer ones fill
 * the page; a part with a LIMIT is never run by a parallel worker, so the order holds.
 *
 * Why: a word neither rare nor common is found through the GIN index as a bitmap of every
 * match in the history, each of which was fetched and sorted for the newest page (about 130 ms
 * for the ~30,000 matches of a word in 3 % of 1,000,000 runs). Within a window the planner
 * ANDs that bitmap with the window's range of the history index, so only the window's matches
 * are fetched; a common word walks the history index newest first as before. The windows
 * cover every instant exactly once, so the page is the one the plain query returns.
 */
export function newestSearchMatches(matching: SQL | undefined, page: SearchPage, limit: number) {
  const anchor = searchAnchor(page);
  const edges = SEARCH_WINDOW_DAYS.map(
    (days) => sql`${anchor} - make_interval(days => ${sql.raw(String(days))})`,
  );
  const windows = [...edges, null].map((lower, index) => {
    const upper = index === 0 ? null : edges[index - 1]!;
    return sql`(select ${skillRuns.id} from ${skillRuns} where ${and(
      matching,
      lower ? sql`${skillRuns.createdAt} >= ${lower}` : undefined,
      upper ? sql`${skillRuns.createdAt} < ${upper}` : undefined,
    )} order by ${skillRuns.createdAt} desc, ${skillRuns.id} desc limit ${sql.raw(String(limit))})`;
  });
  return sql`select newest.id from (${sql.join(windows, sql` union all `)}) as newest limit ${sql.raw(String(limit))}`;
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
