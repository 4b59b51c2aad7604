import "server-only";
import {
  and,
  asc,
  desc,
  eq,
  getTableColumns,
  gte,
  inArray,
  lte,
  sql,
  type AnyColumn,
  type SQL,
} from "drizzle-orm";
import { redactSnapshotUrls } from "@/server/agent/redact-url";
import type { Database } from "@/server/db/client";
import {
  agents,
  apiKeys,
  runEvents,
  schedules,
  skillRuns,
  skills,
  users,
  webhooks,
} from "@/server/db/schema";
import { CREATED_WITHIN_SECONDS } from "@/lib/run-list";
import type { ListRunsInput } from "@/lib/schemas/runs";
import { hasPrice } from "@/server/agent/prices";
import { RunNotFoundError } from "./run-errors";
import { inProgressCalls, usageSoFar } from "./run-progress";
import { personOf, resolveProvenance } from "./run-provenance";
import { queueStates } from "./run-queue";
import { matchesSearch, newestSearchMatches, searchHits } from "./run-search";
import { feedbackCountsOf } from "./run-feedback";

export type RunListFilters = Omit<ListRunsInput, "cursor" | "limit">;
export type RunCursor = NonNullable<ListRunsInput["cursor"]>;

/** How much of an input value a list row shows: a page never carries whole documents. */
const TITLE_CHARS = 80;
const SUMMARY_VALUE_CHARS = 60;
/** Only this many times the shown length is searched for whitespace, so a 100 KB document costs what a short text does. */
const SCANNED_PER_SHOWN_CHAR = 4;
/** How much of a failure reason a list row shows: its first line, cut short. */
const FAILURE_LINE_CHARS = 200;

/**
 * `[title, summary]` of a run's inputs, in one pass over them. The title is the value of the
 * skill's title input (see lib/skill-inputs/summary.ts), or null. The summary is "key: value ·
 * key: value" for every other input: required inputs first, each group in the schema's
 * declared order (the skill's summary_order), keys the schema no longer has last and
 * alphabetically. This is the skill's current schema: a run pins only its skill's version
 * hash, and older versions' schemas are not kept.
 *
 * Each value is one line: text as it is, a list's items joined with ", ", an object as JSON;
 * whitespace runs become one space, and a value cut short ends in "…". Null, "", blank text,
 * [] and {} are left out: they tell runs apart no better than a missing input, and would push
 * the informative values out of the one line a list shows.
 *
 * `offset 0` keeps each derived table from being pulled up into its parent, where every use of
 * `line` would repeat the regexp (it tripled this subquery's time).
 */
const inputsLabel = () => sql<[string | null, string]>`(
  select json_build_array(
    max(cut.line) filter (where cut.key = ${skills.titleInput}),
    coalesce(string_agg(cut.key || ': ' || cut.line, ' · ' order by array_position(${skills.summaryOrder}, cut.key), cut.key) filter (where cut.key is distinct from ${skills.titleInput}), '')
  )
  from (
    select shown.key, case
      when length(shown.line) > shown.chars then rtrim(left(shown.line, shown.chars - 1)) || '…'
      when length(shown.text) > shown.chars * ${sql.raw(String(SCANNED_PER_SHOWN_CHAR))} then shown.line || '…'
      else shown.line
    end as line
    from (
      select rendered.key, rendered.text, rendered.chars,
        nullif(btrim(regexp_replace(left(rendered.text, rendered.chars * ${sql.raw(String(SCANNED_PER_SHOWN_CHAR))}), '[[:space:]]+', ' ', 'g')), '') as line
      from (
        select input.key,
          case when input.key = ${skills.titleInput} then ${sql.raw(String(TITLE_CHARS))} else ${sql.raw(String(SUMMARY_VALUE_CHARS))} end as chars,
          case jsonb_typeof(input.value)
            when 'array' then (select string_agg(item #>> '{}', ', ') from jsonb_array_elements(input.value) as item)
            when 'object' then nullif(input.value::text, '{}')
            else input.value #>> '{}'
          end as text
        from jsonb_each(${skillRuns.inputs}) as input
        offset 0
      ) as rendered
      offset 0
    ) as shown
  ) as cut
  where cut.line is not null
)`;

/**
 * The name of the row `id` points at, or null. A subquery, run only for the rows of the page:
 * joining all four invoker tables made a seven-table join whose planning alone took longer
 * (about 5 ms) than running the query.
 */
const nameOf = (
  table: typeof users | typeof schedules | typeof webhooks | typeof apiKeys,
  id: AnyColumn,
) => sql<string | null>`(select ${table.name} from ${table} where ${table.id} = ${id})`;

type ListRunsOptions = { filters?: RunListFilters; cursor?: RunCursor | null; limit: number };

/**
 * What "matches the history's filters" means, as one condition: the list, its count, the
 * export and bulk operations all read it, so "all matching" is exactly what the list shows.
 */
export function runListConditions(tenantId: string, filters: RunListFilters): SQL | undefined {
  return and(
    eq(skillRuns.tenantId, tenantId),
    filters.status?.length ? inArray(skillRuns.status, filters.status) : undefined,
    filters.skillId ? eq(skillRuns.skillId, filters.skillId) : undefined,
    filters.agentId ? eq(skillRuns.agentId, filters.agentId) : undefined,
    filters.source ? eq(skillRuns.source, filters.source) : undefined,
    filters.failureCode ? eq(skillRuns.failureCode, filters.failureCode) : undefined,
    // With the tenant condition above, another tenant's schedule, webhook or key matches nothing.
    filters.scheduleId ? eq(skillRuns.scheduleId, filters.scheduleId) : undefined,
    filters.webhookId ? eq(skillRuns.webhookId, filters.webhookId) : undefined,
    filters.apiKeyId ? eq(skillRuns.apiKeyId, filters.apiKeyId) : undefined,
    filters.runIds?.length ? inArray(skillRuns.id, filters.runIds) : undefined,
    filters.search ? matchesSearch(filters.search) : undefined,
    // Every tag given (GIN, skill_runs_tags_idx).
    filters.tags?.length
      ? sql`${skillRuns.tags} @> ${sql.param(filters.tags, skillRuns.tags)}`
      : undefined,
    // The database's clock, so a window means the same on every page of a polled list.
    filters.createdWithin
      ? sql`${skillRuns.createdAt} >= now() - make_interval(secs => ${CREATED_WITHIN_SECONDS[filters.createdWithin]})`
      : undefined,
    filters.createdAfter ? gte(skillRuns.createdAt, filters.createdAfter) : undefined,
    filters.createdBefore ? lte(skillRuns.createdAt, filters.createdBefore) : undefined,
  );
}

/** The keyset bound after `cursor`, newest first (see listRunsQuery). */
export const afterRunCursor = (cursor: RunCursor) =>
  sql`(${skillRuns.createdAt}, ${skillRuns.id}) < (${sql.param(cursor.createdAt, skillRuns.createdAt)}, ${sql.param(cursor.id, skillRuns.id)})`;

/**
 * The history list's query, newest first, keyset-paginated on (created_at, id); it fetches
 * one row more than `limit` to tell whether another page follows. Exported so the history
 * benchmark can time and EXPLAIN exactly this SQL.
 *
 * The cursor is a row comparison, `(created_at, id) < (…, …)`, which PostgreSQL uses as an
 * index bound on every `(tenant_id[, filter], created_at desc, id desc)` index; the
 * equivalent `a < x or (a = x and b < y)` is only a filter, so a deep page would walk every
 * newer row first.
 */
export function listRunsQuery(db: Database, tenantId: string, options: ListRunsOptions) {
  const { filters = {}, cursor, limit } = options;
  const page = cursor ? afterRunCursor(cursor) : undefined;
  const matching = and(runListConditions(tenantId, filters), page);
  const where = filters.search
    ? and(
        eq(skillRuns.tenantId, tenantId),
        sql`${skillRuns.id} in (${newestSearchMatches(
          and(runListConditions(tenantId, { ...filters, search: undefined }), page),
          filters.search,
          limit + 1,
        )})`,
      )
    : matching;
  return db
    .select({
      id: skillRuns.id,
      status: skillRuns.status,
      source: skillRuns.source,
      invoker: {
        userName: nameOf(users, skillRuns.invokerUserId),
        // The foreign keys null these when their row goes, so they equal the joined ids.
        scheduleId: skillRuns.scheduleId,
        scheduleName: nameOf(schedules, skillRuns.scheduleId),
        webhookId: skillRuns.webhookId,
        webhookName: nameOf(webhooks, skillRuns.webhookId),
        apiKeyId: skillRuns.apiKeyId,
        apiKeyName: nameOf(apiKeys, skillRuns.apiKeyId),
      },
      skill: { id: skills.id, slug: skills.slug, name: skills.name },
      agent: { id: agents.id, name: agents.name },
      inputsLabel: inputsLabel(),
      tags: skillRuns.tags,
      failureCode: skillRuns.failureCode,
      failureReasonLine: sql<
        string | null
      >`left(rtrim(split_part(${skillRuns.failureReason}, E'\\n', 1), E'\\r'), ${sql.raw(String(FAILURE_LINE_CHARS))})`,
      inputTokens: skillRuns.inputTokens,
      outputTokens: skillRuns.outputTokens,
      costUsd: skillRuns.costUsd,
      createdAt: skillRuns.createdAt,
      startedAt: skillRuns.startedAt,
      finishedAt: skillRuns.finishedAt,
    })
    .from(skillRuns)
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoin(agents, eq(agents.id, skillRuns.agentId))
    .where(where)
    .orderBy(desc(skillRuns.createdAt), desc(skillRuns.id))
    .limit(limit + 1);
}

/** What the history list shows, newest first, keyset-paginated on (created_at, id). */
export async function listRuns(db: Database, tenantId: string, options: ListRunsOptions) {
  const { limit } = options;
  const rows = await listRunsQuery(db, tenantId, options);
  const page = rows
    .slice(0, limit)
    .map(({ inputsLabel: [inputsTitle, inputsSummary], ...run }) => ({
      ...run,
      inputsTitle,
      inputsSummary,
    }));
  const search = options.filters?.search;
  const [queue, hits, feedback] = await Promise.all([
    queueStates(db, tenantId, page),
    search
      ? searchHits(
          db,
          tenantId,
          page.map((run) => run.id),
          search,
        )
      : null,
    feedbackCountsOf(
      db,
      tenantId,
      page.filter((run) => run.status === "complete").map((run) => run.id),
    ),
  ]);
  const last = page.at(-1);
  return {
    runs: page.map((run) => ({
      ...run,
      queue: queue.get(run.id) ?? null,
      /** With a search: the words around the match, for the list to show. */
      searchHit: hits?.get(run.id) ?? null,
      /** 👍 and 👎 counts; null when nobody rated the run. */
      feedback: feedback.get(run.id) ?? null,
    })),
    nextCursor: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

/** Every column of a run but its search document, which only the search's index reads. */
const { searchDocument: _searchDocument, ...runColumns } = getTableColumns(skillRuns);

/** The detail page's query (exported, like listRunsQuery, for the history benchmark). */
export function getRunQuery(db: Database, tenantId: string, runId: string) {
  return db
    .select({
      run: runColumns,
      skill: {
        id: skills.id,
        slug: skills.slug,
        name: skills.name,
        currentVersion: skills.versionHash,
        inputsSchema: skills.inputsSchema,
      },
      agent: { id: agents.id, name: agents.name },
    })
    .from(skillRuns)
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .leftJoin(agents, eq(agents.id, skillRuns.agentId))
    .where(and(eq(skillRuns.id, runId), eq(skillRuns.tenantId, tenantId)));
}

/**
 * How long after a cancel a run's usage may still arrive: the interrupted turn notices the
 * cancel at its next status check, stops the model call and then records what it used.
 */
export const CANCELLED_USAGE_GRACE_MS = 30_000;

/** One run with everything the detail page shows; unknown and foreign ids are both RunNotFoundError. */
export async function getRun(db: Database, tenantId: string, runId: string, now = Date.now()) {
  const [run] = await getRunQuery(db, tenantId, runId);
  if (!run) throw new RunNotFoundError(runId);
  const {
    idempotencyKey: _idempotencyKey,
    idempotencyRequestHash: _idempotencyRequestHash,
    activeCalls: _activeCalls,
    turnStartedAt,
    ...visible
  } = run.run;
  // Cancelled is terminal at once, but a turn that had started reports its usage a moment later.
  const usagePending =
    visible.status === "cancelled" &&
    turnStartedAt !== null &&
    visible.inputTokens === null &&
    (visible.finishedAt?.getTime() ?? 0) > now - CANCELLED_USAGE_GRACE_MS;
  const model = visible.configSnapshot?.model ?? null;
  const [provenance, cancelledBy, usedSoFar, queue] = await Promise.all([
    resolveProvenance(db, run.run),
    personOf(db, visible.cancelledByUserId),
    visible.status === "running" ? usageSoFar(db, { tenantId, runId }, model) : null,
    queueStates(db, tenantId, [visible]),
  ]);
  return {
    ...visible,
    configSnapshot: redactSnapshotUrls(visible.configSnapshot),
    /** The deliverable as it is being written (guarded), only while the run is running. */
    liveOutput: visible.status === "running" ? visible.liveOutput : null,
    usagePending,
    /** While running: the model calls recorded so far (the usage columns fill when it ends). */
    usageSoFar: usedSoFar,
    /** False when the run's model has no price, so its cost is unknown rather than zero. */
    priceKnown: model === null || hasPrice(model),
    provenance,
    cancelledBy,
    queue: queue.get(visible.id) ?? null,
    skill: run.skill,
    agent: run.agent,
    skillChanged: run.skill.currentVersion !== run.run.skillVersion,
  };
}

/**
 * A run's timeline in the order things started: a model call before
 * the tool calls it asked for, though its event is written after theirs. A running run's calls
 * still in progress follow the events. RunNotFoundError unless the run is the tenant's.
 */
export async function listRunEvents(db: Database, tenantId: string, runId: string) {
  // One snapshot: a call that settles meanwhile is either in progress or recorded, never both.
  return db.transaction(
    async (tx) => {
      // Only what the timeline needs of the run: it polls, and getRun reads the whole run.
      const [run] = await tx
        .select({
          status: skillRuns.status,
          activeCalls: skillRuns.activeCalls,
          now: sql<Date>`now()`.mapWith(runEvents.at),
        })
        .from(skillRuns)
        .where(and(eq(skillRuns.id, runId), eq(skillRuns.tenantId, tenantId)));
      if (!run) throw new RunNotFoundError(runId);
      const events = await tx
        .select({
          id: runEvents.id,
          type: runEvents.type,
          at: runEvents.at,
          startedAt: runEvents.startedAt,
          payload: runEvents.payload,
        })
        .from(runEvents)
        .where(and(eq(runEvents.runId, runId), eq(runEvents.tenantId, tenantId)))
        .orderBy(sql`coalesce(${runEvents.startedAt}, ${runEvents.at})`, asc(runEvents.id));
      const inProgress = run.status === "running" ? inProgressCalls(run.activeCalls, run.now) : [];
      return [...events.map((event) => ({ kind: "event" as const, ...event })), ...inProgress];
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** A row's name if it is the tenant's; null for unknown ids and other tenants' rows alike. */
async function tenantNameOf(
  db: Database,
  table: typeof schedules | typeof webhooks | typeof apiKeys,
  tenantId: string,
  id: string | undefined,
): Promise<string | null> {
  if (!id) return null;
  const [row] = await db
    .select({ name: table.name })
    .from(table)
    .where(and(eq(table.id, id), eq(table.tenantId, tenantId)));
  return row?.name ?? null;
}

/** What the history's provenance filters are called: the schedule's, webhook's and key's names. */
export async function runSourceNames(
  db: Database,
  tenantId: string,
  ids: { scheduleId?: string; webhookId?: string; apiKeyId?: string },
) {
  const [schedule, webhook, apiKey] = await Promise.all([
    tenantNameOf(db, schedules, tenantId, ids.scheduleId),
    tenantNameOf(db, webhooks, tenantId, ids.webhookId),
    tenantNameOf(db, apiKeys, tenantId, ids.apiKeyId),
  ]);
  return { schedule, webhook, apiKey };
}
