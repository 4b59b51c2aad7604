// The parsers from nuqs/server (no "use client"), so the export route parses the same URL.
import {
  createLoader,
  createSerializer,
  parseAsArrayOf,
  parseAsIsoDate,
  parseAsString,
  parseAsStringLiteral,
  type inferParserType,
} from "nuqs/server";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/lib/enums";
import { CREATED_WITHIN, MAX_LISTED_RUN_IDS } from "@/lib/run-list";
import type { RunListFiltersInput } from "@/lib/schemas/runs";

/**
 * The runs view's filters, kept in the URL so a view can be shared and survives reloads.
 * `status` is a list (`?status=running,queued`); a link with one status reads as before.
 */
export const runFilterParsers = {
  status: parseAsArrayOf(parseAsStringLiteral(RUN_STATUSES)),
  skill: parseAsString,
  agent: parseAsString,
  source: parseAsStringLiteral(INVOCATION_SOURCES),
  failure: parseAsStringLiteral(FAILURE_CODES),
  created: parseAsStringLiteral(CREATED_WITHIN),
  from: parseAsIsoDate,
  to: parseAsIsoDate,
  schedule: parseAsString,
  webhook: parseAsString,
  apiKey: parseAsString,
  ids: parseAsArrayOf(parseAsString),
  /** Words of the inputs or deliverable (runs.list `search`). */
  q: parseAsString,
  /** Runs carrying every one of these `key:value` tags. */
  tag: parseAsArrayOf(parseAsString),
};
export type RunFilters = inferParserType<typeof runFilterParsers>;

/** The filters a history URL's query holds (the export route reads the list's own URL). */
export const loadRunFilters = createLoader(runFilterParsers);

const serialize = createSerializer(runFilterParsers);
/** The runs list narrowed to these filters, e.g. a schedule's runs. */
export const runsHref = (filters: Partial<RunFilters>) => serialize("/runs", filters);

/**
 * A history URL's query as the parsers write it (no `?`): two URLs showing the same list give
 * the same string, so a saved view's query can be compared with the address bar's.
 */
export const canonicalRunsQuery = (params: URLSearchParams) =>
  serialize(loadRunFilters(params)).replace(/^\?/, "");

const DAY_MS = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidOrUndefined = (value: string | null) => (value && UUID.test(value) ? value : undefined);

/**
 * URL filters as the runs.list input (and the export route's, which checks them as runs.list
 * does); `to` includes the whole day. Malformed ids are dropped.
 */
export function listInputOf(filters: RunFilters): RunListFiltersInput {
  const runIds = filters.ids?.filter((id) => UUID.test(id)).slice(0, MAX_LISTED_RUN_IDS);
  return {
    status: filters.status?.length ? filters.status : undefined,
    skillId: uuidOrUndefined(filters.skill),
    agentId: uuidOrUndefined(filters.agent),
    source: filters.source ?? undefined,
    failureCode: filters.failure ?? undefined,
    scheduleId: uuidOrUndefined(filters.schedule),
    webhookId: uuidOrUndefined(filters.webhook),
    apiKeyId: uuidOrUndefined(filters.apiKey),
    runIds: runIds?.length ? runIds : undefined,
    createdWithin: filters.created ?? undefined,
    createdAfter: filters.from ?? undefined,
    createdBefore: filters.to ? new Date(filters.to.getTime() + DAY_MS - 1) : undefined,
    // Passed as typed: the server's refusal says what is wrong with a search or a tag.
    search: filters.q?.trim() || undefined,
    tags: filters.tag?.length ? filters.tag : undefined,
  };
}
