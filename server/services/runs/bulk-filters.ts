import "server-only";
import { and, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import {
  CANCELLABLE_RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  type BulkOperationKind,
  type RunStatus,
} from "@/server/db/schema/enums";
import { CREATED_WITHIN_SECONDS } from "@/lib/run-list";
import { compileSkillInputs, type InputsSchema } from "@/lib/skill-inputs";
import type { BulkRunFilters, StoredRunFilters } from "@/lib/schemas/bulk-operations";
import type { Database, Transaction } from "@/server/db/client";
import { skillRuns, skills } from "@/server/db/schema";
import { BulkRequestInvalidError } from "./bulk-errors";
import { InputsInvalidError } from "./run-errors";
import { runListConditions, type RunListFilters } from "./run-queries";

/**
 * The filters an operation of `kind` acts on: a cancel only ever matches runs that can still be
 * cancelled, a re-run only runs that have ended, so the count is the runs it will act on. Null:
 * the filter can match no such run.
 */
export function actedOnFilters(
  kind: BulkOperationKind,
  filters: RunListFilters,
): RunListFilters | null {
  const allowed: readonly RunStatus[] =
    kind === "cancel" ? CANCELLABLE_RUN_STATUSES : TERMINAL_RUN_STATUSES;
  const statuses: RunStatus[] = filters.status?.length
    ? filters.status.filter((status) => allowed.includes(status))
    : [...allowed];
  return statuses.length ? { ...filters, status: statuses } : null;
}

/**
 * The most runs one operation takes: a re-run's steps (100 runs each) stay under Inngest's 1,000
 * steps per function run, and each batch re-scans what is left of a full-text or tag match set
 * (docs/PERFORMANCE.md). A larger set is refused with a request to narrow the filter.
 */
export const MAX_BULK_RUNS = 90_000;

/**
 * How many runs match, counted no further than one past MAX_BULK_RUNS: above the cap the
 * operation is refused anyway, so a filter matching millions costs no more than the cap.
 */
export async function countUpToCap(db: Database | Transaction, where: SQL | undefined) {
  const matched = db
    .select({ one: sql`1` })
    .from(skillRuns)
    .where(where)
    .limit(MAX_BULK_RUNS + 1)
    .as("matched");
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(matched);
  return row?.count ?? 0;
}

/**
 * How many runs an operation of `kind` would act on now: the confirmation's count, up to one
 * past MAX_BULK_RUNS (above it, the count says "more than" the cap).
 */
export async function countMatchingRuns(
  db: Database,
  tenantId: string,
  kind: BulkOperationKind,
  filters: BulkRunFilters,
): Promise<number> {
  const acted = actedOnFilters(kind, filters);
  if (!acted) return 0;
  return countUpToCap(db, runListConditions(tenantId, acted));
}

/** The filters as stored, with a relative window replaced by its start as of `frozenAt`. */
export function storedFiltersOf(filters: RunListFilters, frozenAt: Date): StoredRunFilters {
  const { createdWithin, createdAfter, createdBefore, ...rest } = filters;
  const windowStart = createdWithin
    ? new Date(frozenAt.getTime() - CREATED_WITHIN_SECONDS[createdWithin] * 1000)
    : undefined;
  const after =
    windowStart && createdAfter
      ? new Date(Math.max(windowStart.getTime(), createdAfter.getTime()))
      : (windowStart ?? createdAfter);
  return {
    ...rest,
    ...(after ? { createdAfter: after.toISOString() } : {}),
    ...(createdBefore ? { createdBefore: createdBefore.toISOString() } : {}),
  };
}

export function filtersOfStored(stored: StoredRunFilters): RunListFilters {
  const { createdAfter, createdBefore, ...rest } = stored;
  return {
    ...rest,
    ...(createdAfter ? { createdAfter: new Date(createdAfter) } : {}),
    ...(createdBefore ? { createdBefore: new Date(createdBefore) } : {}),
  };
}

/**
 * Checks a re-run's input overrides before anything is written: they need the filter to name
 * one skill, and each must be an input of it with a value its schema accepts. Required inputs
 * may be left out (each run keeps its own).
 */
export async function checkOverrides(
  db: Database,
  tenantId: string,
  kind: BulkOperationKind,
  filters: RunListFilters,
  overrides: Record<string, unknown> | undefined,
): Promise<Record<string, unknown> | null> {
  if (!overrides || Object.keys(overrides).length === 0) return null;
  if (kind !== "rerun")
    throw new BulkRequestInvalidError("Only a re-run takes input overrides; a cancel takes none.");
  if (!filters.skillId)
    throw new BulkRequestInvalidError(
      "Input overrides need the history filtered to one skill, so they can be checked against its inputs.",
    );
  const [skill] = await db
    .select({ inputsSchema: skills.inputsSchema })
    .from(skills)
    .where(
      and(
        eq(skills.id, filters.skillId),
        or(eq(skills.tenantId, tenantId), isNull(skills.tenantId)),
      ),
    );
  if (!skill) throw new BulkRequestInvalidError("The filter's skill was not found in this tenant.");
  const partial: InputsSchema = { ...skill.inputsSchema, required: [] };
  // Defaults are not filled in: an override replaces only the inputs it names.
  const withoutDefaults: InputsSchema = {
    ...partial,
    properties: Object.fromEntries(
      Object.entries(partial.properties ?? {}).map(([name, { default: _default, ...property }]) => [
        name,
        property,
      ]),
    ),
  };
  const result = compileSkillInputs(withoutDefaults)(overrides);
  if (!result.valid) throw new InputsInvalidError(result.fieldErrors);
  return overrides;
}
