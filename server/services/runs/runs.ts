import "server-only";
import { createHash } from "node:crypto";
import { and, eq, inArray, isNotNull, or, sql } from "drizzle-orm";
import { compileSkillInputs, type InputsSchema } from "@/lib/skill-inputs";
import type { Database, Transaction } from "@/server/db/client";
import { holdsUnstorable, UNSTORABLE_MESSAGE } from "@/server/db/storable";
import { agents, runEvents, skillRuns, skills } from "@/server/db/schema";
import {
  CANCELLABLE_RUN_STATUSES,
  type FailureCode,
  type InvocationSource,
  type RunStatus,
} from "@/lib/enums";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import {
  DispatchFailedError,
  IdempotencyKeyReusedError,
  InputsInvalidError,
  NoDefaultAgentError,
  RunNotCancellableError,
  RunNotFoundError,
  SkillNotFoundError,
} from "./run-errors";
import { transitionRun } from "./run-timeline";
import { ownSkillFirst, skillVisibleTo } from "@/server/services/catalog/skills";

export { appendRunEvent } from "./run-timeline";

export const RUN_REQUESTED = "skill/run.requested";
export const RUN_CANCEL_REQUESTED = "skill/run.cancel-requested";

export type RunEvent = { name: string; id?: string; data: { runId: string; tenantId: string } };
/** What the services need of Inngest: the client's `send` fits (one event, or several in one request). */
export type RunDispatcher = {
  send: (event: RunEvent | RunEvent[]) => Promise<{ ids: string[] }>;
};
export type RunServiceDeps = { db: Database; dispatcher: RunDispatcher };

export type RunInvoker = {
  userId?: string | null;
  scheduleId?: string | null;
  webhookId?: string | null;
  apiKeyId?: string | null;
};

export type StartRunInput = {
  tenantId: string;
  skill: { slug: string } | { id: string };
  agentId?: string | null;
  inputs: Record<string, unknown>;
  source: InvocationSource;
  invoker?: RunInvoker;
  /**
   * The caller's key: unique per tenant and source, so keys of different sources (an operator's
   * Run now, a REST client, a schedule's slot) never meet. A repeat with the same request gets
   * the run it started; `startRun` refuses a repeat with another request.
   */
  idempotencyKey?: string | null;
  parentRunId?: string | null;
};

/** Sources without a person waiting for an answer: their problems become visible failed runs. */
const UNATTENDED: readonly InvocationSource[] = ["schedule", "webhook"];

const validators = new Map<string, ReturnType<typeof compileSkillInputs>>();

/** Validates (and fills defaults into a copy of) the inputs against the skill's current schema. */
function validateInputs(
  skill: { id: string; versionHash: string; inputsSchema: InputsSchema },
  inputs: Record<string, unknown>,
) {
  const key = `${skill.id}:${skill.versionHash}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = compileSkillInputs(skill.inputsSchema);
    validators.set(key, validate);
  }
  const result = validate(inputs);
  if (!result.valid) throw new InputsInvalidError(result.fieldErrors);
  // Valid JSON Schema-wise, yet a string PostgreSQL refuses would fail the insert (a 500): say which input.
  const unstorable = Object.entries(result.value).filter(([, value]) => holdsUnstorable(value));
  if (unstorable.length)
    throw new InputsInvalidError(
      Object.fromEntries(unstorable.map(([name]) => [name, [UNSTORABLE_MESSAGE]])),
    );
  return result.value;
}

/**
 * The skill to run and the agent to run it with, in one statement: the named agent of the
 * tenant, else the tenant's default (or none). The caller reports problems in the order an
 * operator fixes them: skill, then inputs, then agent.
 */
async function findSkillAndAgent(
  db: Database | Transaction,
  tenantId: string,
  ref: StartRunInput["skill"],
  agentId: string | null | undefined,
) {
  const agent = db
    .select({ id: agents.id })
    .from(agents)
    .where(
      and(
        eq(agents.tenantId, tenantId),
        agentId ? eq(agents.id, agentId) : eq(agents.isDefault, true),
      ),
    )
    .limit(1);
  const [skill] = await db
    .select({
      id: skills.id,
      slug: skills.slug,
      versionHash: skills.versionHash,
      inputsSchema: skills.inputsSchema,
      agentId: sql<string | null>`(${agent})`,
    })
    .from(skills)
    .where(
      and(
        "id" in ref ? eq(skills.id, ref.id) : eq(skills.slug, ref.slug),
        skillVisibleTo(tenantId),
      ),
    )
    .orderBy(ownSkillFirst)
    .limit(1);
  if (!skill) throw new SkillNotFoundError("id" in ref ? ref.id : ref.slug);
  return skill;
}

const runSummary = {
  id: skillRuns.id,
  status: skillRuns.status,
  failureCode: skillRuns.failureCode,
  createdAt: skillRuns.createdAt,
};

/** Object keys sorted at every depth, after a JSON round trip: equal for equal JSON, however written. */
function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, item]) => [key, sortedJson(item)]),
    );
  return value;
}

/** What an idempotency key is bound to: the request as the caller sent it (skill, agent, inputs). */
function idempotencyRequestHash(input: StartRunInput): string {
  const request = { skill: input.skill, agentId: input.agentId ?? null, inputs: input.inputs };
  const normalized = sortedJson(JSON.parse(JSON.stringify(request)));
  return createHash("sha256").update(JSON.stringify(normalized)).digest("hex");
}
export type StartedRun = {
  run: { id: string; status: RunStatus; failureCode: FailureCode | null; createdAt: Date };
  created: boolean;
};

/** The row of a new run, from a validated input. Without an agent it is born failed (`no_agent`). */
function runRow(
  input: StartRunInput,
  skill: { id: string; versionHash: string },
  inputs: Record<string, unknown>,
  agentId: string | null,
) {
  return {
    tenantId: input.tenantId,
    skillId: skill.id,
    skillVersion: skill.versionHash,
    agentId,
    source: input.source,
    invokerUserId: input.invoker?.userId ?? null,
    scheduleId: input.invoker?.scheduleId ?? null,
    webhookId: input.invoker?.webhookId ?? null,
    apiKeyId: input.invoker?.apiKeyId ?? null,
    parentRunId: input.parentRunId ?? null,
    inputs,
    idempotencyKey: input.idempotencyKey ?? null,
    idempotencyRequestHash: input.idempotencyKey ? idempotencyRequestHash(input) : null,
    ...(!agentId
      ? {
          status: "failed" as const,
          failureCode: "no_agent" as const,
          failureReason: new NoDefaultAgentError().message,
          finishedAt: new Date(),
        }
      : {}),
  };
}

/** The first timeline events of a new run, written in the same statement as the run. */
function initialTimeline(input: StartRunInput, skill: { versionHash: string }, noAgent: boolean) {
  return [
    { type: "queued", payload: { source: input.source, skillVersion: skill.versionHash } },
    ...(noAgent ? [{ type: "failed", payload: { failureCode: "no_agent" } }] : []),
  ];
}

const onIdempotencyConflict = {
  target: [skillRuns.tenantId, skillRuns.source, skillRuns.idempotencyKey],
  where: sql`${skillRuns.idempotencyKey} is not null`,
};

/** The run started with this key by this source, if any, with the request it was started for. */
async function runByIdempotencyKey(
  db: Database | Transaction,
  input: StartRunInput & { idempotencyKey: string },
) {
  const [existing] = await db
    .select({ ...runSummary, requestHash: skillRuns.idempotencyRequestHash })
    .from(skillRuns)
    .where(
      and(
        eq(skillRuns.tenantId, input.tenantId),
        eq(skillRuns.source, input.source),
        eq(skillRuns.idempotencyKey, input.idempotencyKey),
      ),
    );
  if (!existing) return null;
  const { requestHash, ...run } = existing;
  // Runs from before the hash was recorded answer any repeat of their key, as they did then.
  if (requestHash !== null && requestHash !== idempotencyRequestHash(input))
    throw new IdempotencyKeyReusedError(run.id);
  return run;
}

/**
 * Creates a queued run and dispatches it. Validation happens before anything is written; an
 * idempotency key returns the run already created with it (also under concurrent calls).
 * Without an agent and a tenant default, interactive sources get an error while unattended
 * ones get a run that fails at once with `no_agent`, so the operator sees it.
 */
export async function startRun(
  deps: RunServiceDeps,
  input: StartRunInput,
  audit?: AuditContext,
): Promise<StartedRun> {
  const started = await createRun(deps.db, input, audit);
  if (started.created) await dispatchCreatedRun(deps, started.run, input.tenantId);
  return started;
}

/**
 * The writing half of `startRun`, usable inside a caller's transaction: the caller dispatches
 * with `dispatchCreatedRun` after committing, so the function never looks for an uncommitted run.
 * A run left undispatched by a crash in between is resent by the reconciler.
 *
 * With `audit`, a new run is logged (`run.start`, or `run.rerun` for a re-run) in the same
 * transaction; a refused input or a repeated idempotency key logs nothing. Callers that log
 * in their own way (a schedule's "Run now", webhooks) leave it out.
 */
export async function createRun(
  db: Database | Transaction,
  input: StartRunInput,
  audit?: AuditContext,
): Promise<StartedRun> {
  if (!audit) return insertRun(db, input);
  return db.transaction(async (tx) => {
    const started = await insertRun(tx, input);
    if (started.created) {
      await recordAudit(tx, {
        tenantId: input.tenantId,
        ...audit,
        action: input.source === "rerun" ? "run.rerun" : "run.start",
        target: { type: "run", id: started.run.id },
        metadata: {
          source: input.source,
          ...(input.parentRunId ? { parentRunId: input.parentRunId } : {}),
        },
      });
    }
    return started;
  });
}

async function insertRun(db: Database | Transaction, input: StartRunInput): Promise<StartedRun> {
  const { tenantId, idempotencyKey } = input;
  // A retry with the same key and request gets the original run, even if the skill or agent changed since.
  if (idempotencyKey) {
    const existing = await runByIdempotencyKey(db, { ...input, idempotencyKey });
    if (existing) return { run: existing, created: false };
  }
  const skill = await findSkillAndAgent(db, tenantId, input.skill, input.agentId);
  const inputs = validateInputs(skill, input.inputs);
  const agentId = skill.agentId;
  if (input.agentId && !agentId) throw new AgentNotFoundError(input.agentId);
  if (!agentId && !UNATTENDED.includes(input.source)) throw new NoDefaultAgentError();

  const insert = db
    .insert(skillRuns)
    .values(runRow(input, skill, inputs, agentId))
    .onConflictDoNothing(onIdempotencyConflict)
    .returning({
      id: skillRuns.id,
      status: skillRuns.status,
      failureCode: skillRuns.failureCode,
      createdAt: skillRuns.createdAt,
    });
  const timeline = initialTimeline(input, skill, !agentId);
  // The run and its first timeline events in one statement (a writable CTE).
  const [row] = await db.execute<{
    id: string;
    status: RunStatus;
    failure_code: FailureCode | null;
    created_at: string | Date;
  }>(sql`
    with created as (${insert.getSQL()}),
    timeline as (
      insert into ${runEvents} (run_id, tenant_id, type, payload)
      select created.id, ${tenantId}, event.type, event.payload
      from created cross join jsonb_to_recordset(${JSON.stringify(timeline)}::text::jsonb) as event(type text, payload jsonb)
    )
    select id, status, failure_code, created_at from created`);
  const created = row
    ? {
        id: row.id,
        status: row.status,
        failureCode: row.failure_code,
        createdAt: new Date(row.created_at),
      }
    : null;

  if (!created) {
    // A concurrent call with the same key won the insert.
    const existing = idempotencyKey
      ? await runByIdempotencyKey(db, { ...input, idempotencyKey })
      : null;
    if (!existing) throw new Error("idempotency conflict without an existing run");
    return { run: existing, created: false };
  }
  return { run: created, created: true };
}

/** What `createRuns` gives back per input: the run, or the refusal `createRun` would have thrown. */
export type CreateRunOutcome =
  | StartedRun
  | { error: SkillNotFoundError | InputsInvalidError | AgentNotFoundError | NoDefaultAgentError };

type IdempotencyClaim = { tenantId: string; source: InvocationSource; key: string };
const claimOf = (input: StartRunInput): IdempotencyClaim | null =>
  input.idempotencyKey
    ? { tenantId: input.tenantId, source: input.source, key: input.idempotencyKey }
    : null;
const claimId = (claim: IdempotencyClaim) =>
  `${claim.tenantId}\u0000${claim.source}\u0000${claim.key}`;

/** The runs already created under these (tenant, source, idempotency key) claims, by claim. */
async function runsByIdempotencyKey(db: Database | Transaction, claims: IdempotencyClaim[]) {
  if (claims.length === 0) return new Map<string, StartedRun["run"]>();
  const rows = await db
    .select({
      ...runSummary,
      tenantId: skillRuns.tenantId,
      source: skillRuns.source,
      idempotencyKey: skillRuns.idempotencyKey,
    })
    .from(skillRuns)
    .where(
      and(
        inArray(skillRuns.tenantId, [...new Set(claims.map((claim) => claim.tenantId))]),
        inArray(skillRuns.source, [...new Set(claims.map((claim) => claim.source))]),
        inArray(skillRuns.idempotencyKey, [...new Set(claims.map((claim) => claim.key))]),
        isNotNull(skillRuns.idempotencyKey),
      ),
    );
  return new Map(
    rows.map(({ tenantId, source, idempotencyKey, ...run }) => [
      claimId({ tenantId, source, key: idempotencyKey ?? "" }),
      run,
    ]),
  );
}

/**
 * `createRun` for many inputs at once, inside the caller's transaction (the schedules tick):
 * per input the same checks in the same order, with the same outcome — an existing run for
 * its idempotency key, else the skill (by id, visible to the tenant), the inputs, the agent —
 * but each lookup is one statement for all inputs and the runs with their first timeline
 * events are one insert, instead of four statements a run. A refusal (unknown skill, invalid
 * inputs, missing agent) is returned in the input's place rather than thrown; the caller
 * dispatches the created runs after committing, as with `createRun`.
 */
export async function createRuns(
  db: Database | Transaction,
  inputs: (StartRunInput & { skill: { id: string } })[],
): Promise<CreateRunOutcome[]> {
  const outcomes: (CreateRunOutcome | undefined)[] = new Array(inputs.length);
  // A retry with the same key gets the original run, even if the skill, agent or inputs changed
  // since: these keys are Skillrun's own (a schedule's slot), never a caller's.
  const existing = await runsByIdempotencyKey(
    db,
    inputs.flatMap((input) => claimOf(input) ?? []),
  );
  inputs.forEach((input, index) => {
    const claim = claimOf(input);
    const run = claim ? existing.get(claimId(claim)) : undefined;
    if (run) outcomes[index] = { run, created: false };
  });

  const pending = inputs.flatMap((input, index) => (outcomes[index] ? [] : [index]));
  const skillIds = [...new Set(pending.map((index) => inputs[index]!.skill.id))];
  const skillRows = skillIds.length
    ? await db
        .select({
          id: skills.id,
          versionHash: skills.versionHash,
          inputsSchema: skills.inputsSchema,
          tenantId: skills.tenantId,
        })
        .from(skills)
        .where(and(inArray(skills.id, skillIds), eq(skills.enabled, true)))
    : [];
  const skillById = new Map(skillRows.map((skill) => [skill.id, skill]));
  // findSkillAndAgent's rule, skillVisibleTo: enabled, and built in or the tenant's own.
  const validated = pending.flatMap((index) => {
    const input = inputs[index]!;
    const skill = skillById.get(input.skill.id);
    if (!skill || (skill.tenantId !== null && skill.tenantId !== input.tenantId)) {
      outcomes[index] = { error: new SkillNotFoundError(input.skill.id) };
      return [];
    }
    try {
      return [{ index, input, skill, values: validateInputs(skill, input.inputs) }];
    } catch (error) {
      if (!(error instanceof InputsInvalidError)) throw error;
      outcomes[index] = { error };
      return [];
    }
  });

  // findSkillAndAgent's agent rule: the named agent of the tenant, else the tenant's default (or none).
  const namedAgentIds = [
    ...new Set(validated.flatMap(({ input }) => (input.agentId ? [input.agentId] : []))),
  ];
  const defaultFor = [
    ...new Set(validated.flatMap(({ input }) => (input.agentId ? [] : [input.tenantId]))),
  ];
  const agentRows =
    namedAgentIds.length || defaultFor.length
      ? await db
          .select({ id: agents.id, tenantId: agents.tenantId, isDefault: agents.isDefault })
          .from(agents)
          .where(
            or(
              namedAgentIds.length ? inArray(agents.id, namedAgentIds) : undefined,
              defaultFor.length
                ? and(inArray(agents.tenantId, defaultFor), eq(agents.isDefault, true))
                : undefined,
            ),
          )
      : [];
  const agentById = new Map(agentRows.map((agent) => [agent.id, agent]));
  const defaultAgentOf = new Map(
    agentRows.filter((agent) => agent.isDefault).map((agent) => [agent.tenantId, agent]),
  );
  const toInsert = validated.flatMap((entry) => {
    const { index, input } = entry;
    const agent = input.agentId ? agentById.get(input.agentId) : defaultAgentOf.get(input.tenantId);
    if (input.agentId && agent?.tenantId !== input.tenantId) {
      outcomes[index] = { error: new AgentNotFoundError(input.agentId) };
      return [];
    }
    const agentId = agent?.id ?? null;
    if (!agentId && !UNATTENDED.includes(input.source)) {
      outcomes[index] = { error: new NoDefaultAgentError() };
      return [];
    }
    // The id is chosen here so each returned row finds its input.
    return [{ ...entry, id: crypto.randomUUID(), agentId }];
  });

  const INSERT_CHUNK = 1_000;
  const raced: number[] = [];
  for (let offset = 0; offset < toInsert.length; offset += INSERT_CHUNK) {
    const chunk = toInsert.slice(offset, offset + INSERT_CHUNK);
    const insert = db
      .insert(skillRuns)
      .values(
        chunk.map(({ id, input, skill, values, agentId }) => ({
          id,
          ...runRow(input, skill, values, agentId),
        })),
      )
      .onConflictDoNothing(onIdempotencyConflict)
      .returning({
        id: skillRuns.id,
        status: skillRuns.status,
        failureCode: skillRuns.failureCode,
        createdAt: skillRuns.createdAt,
      });
    const timeline = chunk.flatMap(({ id, input, skill, agentId }) =>
      initialTimeline(input, skill, !agentId).map((event) => ({
        run_id: id,
        tenant_id: input.tenantId,
        ...event,
      })),
    );
    // The runs and their first timeline events in one statement, in `createRun`'s order.
    const rows = await db.execute<{
      id: string;
      status: RunStatus;
      failure_code: FailureCode | null;
      created_at: string | Date;
    }>(sql`
      with created as (${insert.getSQL()}),
      timeline as (
        insert into ${runEvents} (run_id, tenant_id, type, payload)
        select created.id, event.tenant_id, event.type, event.payload
        from jsonb_to_recordset(${JSON.stringify(timeline.map((event, seq) => ({ ...event, seq })))}::text::jsonb)
          as event(run_id uuid, tenant_id text, type text, payload jsonb, seq int)
          join created on created.id = event.run_id
        order by event.seq
      )
      select id, status, failure_code, created_at from created`);
    const created = new Map(rows.map((row) => [row.id, row]));
    for (const { index, id } of chunk) {
      const row = created.get(id);
      if (row)
        outcomes[index] = {
          run: {
            id: row.id,
            status: row.status,
            failureCode: row.failure_code,
            createdAt: new Date(row.created_at),
          },
          created: true,
        };
      else raced.push(index);
    }
  }
  if (raced.length) {
    // Concurrent calls with the same keys won those inserts.
    const claims = raced.map((index) => claimOf(inputs[index]!));
    const winners = await runsByIdempotencyKey(
      db,
      claims.flatMap((claim) => claim ?? []),
    );
    for (const [position, index] of raced.entries()) {
      const claim = claims[position];
      const run = claim ? winners.get(claimId(claim)) : undefined;
      if (!run) throw new Error("idempotency conflict without an existing run");
      outcomes[index] = { run, created: false };
    }
  }
  return outcomes.map((outcome) => {
    if (!outcome) throw new Error("createRuns left an input without an outcome");
    return outcome;
  });
}

/** Sends a created, still queued run to the engine; a failed send fails the run visibly. */
export async function dispatchCreatedRun(
  deps: RunServiceDeps,
  run: StartedRun["run"],
  tenantId: string,
) {
  if (run.status !== "queued") return;
  try {
    await deps.dispatcher.send({
      name: RUN_REQUESTED,
      id: run.id,
      data: { runId: run.id, tenantId },
    });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    await failQueuedRun(deps.db, {
      runId: run.id,
      tenantId,
      failureCode: "dispatch_failed",
      reason: `The run could not be dispatched: ${cause}`,
    });
    throw new DispatchFailedError(run.id, cause);
  }
}

/** Events per send when dispatching many runs: one HTTP request each. */
const DISPATCH_BATCH = 100;

/**
 * Dispatches many created runs in a few requests. A request that fails fails each of its
 * runs with `dispatch_failed`, visibly, and the rest go on.
 */
export async function dispatchCreatedRuns(
  deps: RunServiceDeps,
  runs: { run: StartedRun["run"]; tenantId: string }[],
) {
  const queued = runs.filter(({ run }) => run.status === "queued");
  for (let start = 0; start < queued.length; start += DISPATCH_BATCH) {
    const batch = queued.slice(start, start + DISPATCH_BATCH);
    try {
      await deps.dispatcher.send(
        batch.map(({ run, tenantId }) => ({
          name: RUN_REQUESTED,
          id: run.id,
          data: { runId: run.id, tenantId },
        })),
      );
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      for (const { run, tenantId } of batch) {
        await failQueuedRun(deps.db, {
          runId: run.id,
          tenantId,
          failureCode: "dispatch_failed",
          reason: `The run could not be dispatched: ${cause}`,
        });
      }
    }
  }
}

/** CAS queued → failed with a reason; a run that moved on is left alone. */
export async function failQueuedRun(
  db: Database,
  input: { runId: string; tenantId: string; failureCode: FailureCode; reason: string },
) {
  return transitionRun(db, input, {
    from: ["queued"],
    set: {
      status: "failed",
      failureCode: input.failureCode,
      failureReason: input.reason,
      finishedAt: new Date(),
    },
    event: { type: "failed", payload: { failureCode: input.failureCode, reason: input.reason } },
  });
}

/**
 * CAS queued|running → cancelled, then tells the engine (cancelOn) so no further step runs.
 * The run is cancelled in the database first: if the event cannot be sent, the function's
 * own status checks still stop it.
 */
export async function cancelRun(
  deps: RunServiceDeps,
  input: { tenantId: string; runId: string; userId?: string | null },
  audit?: AuditContext,
) {
  const { db } = deps;
  const now = new Date();
  // With `audit`, the entry is written in the transaction of the transition, and only if it happened.
  const cancelled = await db.transaction(async (tx) => {
    const done = await transitionRun(tx, input, {
      from: [...CANCELLABLE_RUN_STATUSES],
      set: {
        status: "cancelled",
        cancelRequestedAt: now,
        finishedAt: now,
        cancelledByUserId: input.userId ?? null,
      },
      event: { type: "cancelled", payload: { by: input.userId ?? null } },
    });
    if (done && audit)
      await recordAudit(tx, {
        tenantId: input.tenantId,
        ...audit,
        action: "run.cancel",
        target: { type: "run", id: input.runId },
      });
    return done;
  });
  if (!cancelled) {
    const [current] = await db
      .select({ status: skillRuns.status })
      .from(skillRuns)
      .where(and(eq(skillRuns.id, input.runId), eq(skillRuns.tenantId, input.tenantId)));
    if (!current) throw new RunNotFoundError(input.runId);
    throw new RunNotCancellableError(current.status);
  }
  await deps.dispatcher
    .send({ name: RUN_CANCEL_REQUESTED, data: { runId: input.runId, tenantId: input.tenantId } })
    .catch((error: unknown) =>
      console.error(`cancel event for run ${input.runId} not sent: ${String(error)}`),
    );
  return { id: input.runId, status: "cancelled" as const };
}

/**
 * A new run of the same skill (its current version) with the original or edited inputs;
 * says whether the skill changed since the original ran.
 */
export async function rerunRun(
  deps: RunServiceDeps,
  input: {
    tenantId: string;
    runId: string;
    inputs?: Record<string, unknown>;
    agentId?: string | null;
    invoker?: RunInvoker;
  },
  audit?: AuditContext,
) {
  const [original] = await deps.db
    .select({
      id: skillRuns.id,
      skillId: skillRuns.skillId,
      skillVersion: skillRuns.skillVersion,
      inputs: skillRuns.inputs,
      agentId: skillRuns.agentId,
    })
    .from(skillRuns)
    .where(and(eq(skillRuns.id, input.runId), eq(skillRuns.tenantId, input.tenantId)));
  if (!original) throw new RunNotFoundError(input.runId);
  const started = await startRun(
    deps,
    {
      tenantId: input.tenantId,
      skill: { id: original.skillId },
      agentId: input.agentId === undefined ? original.agentId : input.agentId,
      inputs: input.inputs ?? original.inputs,
      source: "rerun",
      invoker: input.invoker,
      parentRunId: original.id,
    },
    audit,
  );
  const [skill] = await deps.db
    .select({ versionHash: skills.versionHash })
    .from(skills)
    .where(eq(skills.id, original.skillId));
  return { ...started, skillChangedSinceOriginal: skill?.versionHash !== original.skillVersion };
}
