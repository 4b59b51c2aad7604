import { listRunsInput } from "@/lib/schemas/runs";
import {
  canonicalRunsQuery,
  listInputOf,
  loadRunFilters,
  runFilterParsers,
} from "@/lib/run-filters";
import { MAX_SAVED_VIEW_QUERY_CHARS } from "@/lib/saved-views";

const FILTER_KEYS = new Set(Object.keys(runFilterParsers));
const ID_KEYS = ["skill", "agent", "schedule", "webhook", "apiKey"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Raw input is only bounded so parsing stays cheap: the limit that counts is the stored (canonical)
 * query's, which can be longer (the parsers percent-encode) or shorter (they drop repeats).
 */
const MAX_RAW_QUERY_CHARS = MAX_SAVED_VIEW_QUERY_CHARS * 4;
const tooLong = {
  ok: false,
  problem: `Keep the query to ${MAX_SAVED_VIEW_QUERY_CHARS} characters.`,
} as const;

export type ViewQueryResult = { ok: true; query: string } | { ok: false; problem: string };

/**
 * A history URL's query as a saved view keeps it: parsed by the list's own nuqs parsers and
 * checked as `runs.list` checks its input, then written back in the parsers' canonical form
 * (so the sidebar can tell which view the URL shows). Anything the list would silently drop
 * (an unknown parameter, a value its parser refuses, a malformed id) is a problem instead.
 */
export function parseViewQuery(raw: string): ViewQueryResult {
  const text = raw.trim().replace(/^\?/, "");
  if (text.length > MAX_RAW_QUERY_CHARS) return tooLong;
  const params = new URLSearchParams(text);
  const filters = loadRunFilters(params);
  for (const [key, value] of params) {
    if (!FILTER_KEYS.has(key)) return { ok: false, problem: `"${key}" is not a runs filter.` };
    const parsed: unknown = filters[key as keyof typeof filters];
    // An array parser drops the items it refuses rather than the whole list.
    const refused = Array.isArray(parsed)
      ? value.split(",").find((item) => item !== "" && !parsed.includes(item))
      : value !== "" && parsed === null && value;
    if (refused) return { ok: false, problem: `"${refused}" is not a valid ${key}.` };
  }
  for (const key of ID_KEYS) {
    const id = filters[key];
    if (id !== null && !UUID.test(id)) return { ok: false, problem: `"${id}" is not a ${key} id.` };
  }
  const badId = filters.ids?.find((id) => !UUID.test(id));
  if (badId) return { ok: false, problem: `"${badId}" is not a run id.` };
  const query = canonicalRunsQuery(params);
  if (query.length > MAX_SAVED_VIEW_QUERY_CHARS) return tooLong;
  const checked = listRunsInput.safeParse(listInputOf(filters));
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return { ok: false, problem: issue ? issue.message : "These filters are not valid." };
  }
  return { ok: true, query };
}
