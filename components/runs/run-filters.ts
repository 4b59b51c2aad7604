import { parseAsIsoDate, parseAsString, parseAsStringLiteral } from "nuqs";
import { FAILURE_CODES, INVOCATION_SOURCES, RUN_STATUSES } from "@/lib/enums";

/** The runs view's filters, kept in the URL so a view can be shared and survives reloads. */
export const runFilterParsers = {
  status: parseAsStringLiteral(RUN_STATUSES),
  skill: parseAsString,
  agent: parseAsString,
  source: parseAsStringLiteral(INVOCATION_SOURCES),
  failure: parseAsStringLiteral(FAILURE_CODES),
  from: parseAsIsoDate,
  to: parseAsIsoDate,
};

const DAY_MS = 24 * 60 * 60 * 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** URL filters as the runs.list input; `to` includes the whole day. Malformed ids are dropped. */
export function listInputOf(filters: {
  status: (typeof RUN_STATUSES)[number] | null;
  skill: string | null;
  agent: string | null;
  source: (typeof INVOCATION_SOURCES)[number] | null;
  failure: (typeof FAILURE_CODES)[number] | null;
  from: Date | null;
  to: Date | null;
}) {
  return {
    status: filters.status ?? undefined,
    skillId: filters.skill && UUID.test(filters.skill) ? filters.skill : undefined,
    agentId: filters.agent && UUID.test(filters.agent) ? filters.agent : undefined,
    source: filters.source ?? undefined,
    failureCode: filters.failure ?? undefined,
    createdAfter: filters.from ?? undefined,
    createdBefore: filters.to ? new Date(filters.to.getTime() + DAY_MS - 1) : undefined,
  };
}
