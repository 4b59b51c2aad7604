import "server-only";
import { createHash } from "node:crypto";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { compileSkillInputs, type InputsSchema } from "@/lib/skill-inputs";
import type { Database, Transaction } from "@/server/db/client";
import { jsonbParam } from "@/server/db/jsonb";
import { holdsUnstorable, UNSTORABLE_MESSAGE } from "@/server/db/storable";
import { runEvents, skillRuns, skills } from "@/server/db/schema";
import {
  CANCELLABLE_RUN_STATUSES,
  type FailureCode,
  type InvocationSource,
  type RunStatus,
} from "@/lib/enums";
import { AgentNotFoundError } from "@/server/services/catalog/agent-config";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { dispatchEndedRunDeliveries } from "@/server/services/deliveries/queue";
import {
  DispatchFailedError,
  IdempotencyKeyReusedError,
  InputsInvalidError,
  NoDefaultAgentError,
  RunNotCancellableError,
  RunNotFoundError,
  SkillNotEnabledError,
  SkillNotFoundError,
} from "./run-errors";
import {
  withinBudgets,
  type BudgetedStart,
  type BudgetExceededError,
} from "@/server/services/budgets/budgets";
import { endPendingApprovals } from "./run-lifecycle";
import { transitionRun, transitionRuns } from "./run-timeline";
import { findRunTargets, type RunTarget } from "./run-target";
import { uniqueTags } from "@/lib/run-tags";
import { RUN_CANCEL_REQUESTED, RUN_REQUESTED, type RunEvent } from "@/inngest/events";

export { appendRunEvent } from "./run-timeline";

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
  /**
   * A REST start's callback URL: kept on its delivery row, not on the run, but part of what an
   * idempotency key is bound to, so a repeat naming another URL (or none) is refused.
   */
  callbackUrl?: string | null;
  parentRunId?: string | null;
  /** `key:value` tags, already valid (lib/run-tags.ts); repeats are stored once. */
  tags?: readonly string[];
};

/** Sources without a person waiting for an answer: their problems become visible failed runs. */
const UNATTENDED: readonly InvocationSource[] = ["schedule", "webhook"];

const validators = new Map<string, ReturnType<typeof compileSkillInputs>>();

/** Validates (and fills defaults into a copy of) the inputs against the skill's current schema. */
function validateInputs(
  skill: { id: string; versionHash: string; inputsSchema: InputsSchema },
  inputs: Record<string, unknown>,
): { inputs: Record<string, unknown> } | { error: InputsInvalidError } {
  const key = `${skill.id}:${skill.versionHash}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = compileSkillInputs(skill.inputsSchema);
    validators.set(key, validate);
  }
  const result = validate(inputs);
  if (!result.valid) return { error: new InputsInvalidError(result.fieldErrors) };
  // Valid JSON Schema-wise, yet a string PostgreSQL refuses would fail the insert (a 500): say which input.
  const unstorable = Object.entries(result.value).filter(([, value]) => holdsUnstorable(value));
  if (unstorable.length)
    return {
      error: new InputsInvalidError(
        Object.fromEntries(unstorable.map(([name]) => [name, [UNSTORABLE_MESSAGE]])),
      ),
    };
  return { inputs: result.value };
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

/**
 * What an idempotency key is bound to: the request as the caller sent it (skill, agent, inputs,
 * and a callback URL when there is one; without one the hash is what it was before callbacks).
 */
function idempotencyRequestHash(input: StartRunInput): string {
  const request = {
    skill: input.skill,
    agentId: input.agentId ?? null,
    inputs: input.inputs,
    ...(input.callbackUrl ? { callbackUrl: input.callbackUrl } : {}),
  };
  const normalized = sortedJson(JSON.parse(JSON.stringify(request)));
  return createHash("sha256").update(JSON.stringify(normalized)).digest("hex");
}
export type StartedRun = {
  run: { id: string; status: RunStatus; failureCode: FailureCode | null; createdAt: Date };
  created: boolean;
};

/** What `createRuns` gives back per input: the run, or the refusal `createRun` throws. */
export type CreateRunOutcome =
  | StartedRun
  | {
      error:
        | SkillNotFoundError
        | InputsInvalidError
        | AgentNotFoundError
        | NoDefaultAgentError
        | SkillNotEnabledError
        | IdempotencyKeyReusedError
        | BudgetExceededError;
    };

/**
 * A new run that passed the rules, ready to insert: the skill's version, the validated inputs,
 * the agent (or none), and the failure it is born with when an unattended source cannot run it.
 */
type PlannedRun = {
  skill: { id: string; versionHash: string };
  inputs: Record<string, unknown>;
  agentId: string | null;
  bornFailed: { code: "no_agent" | "skill_not_enabled"; reason: string } | null;
  tenantBudgeted: boolean;
  /** What the tenant's budget set aside for the run (see `withinBudgets`); null: unbudgeted. */
  reservedCostUsd?: string | null;
};

const budgetedStart = (planned: PlannedRun & { input: StartRunInput }): BudgetedStart => ({
  tenantId: planned.input.tenantId,
  skillId: planned.skill.id,
  agentId: planned.agentId,
  bornFailed: planned.bornFailed !== null,
  tenantBudgeted: planned.tenantBudgeted,
});

/**
 * The rules of a new run, in the order an operator fixes its problems: the skill, then the
 * inputs, then the agent, then whether the agent may run the skill. Without an agent (none
 * named, and no tenant default), or with one that does not have the skill, an interactive source
 * is refused, while an unattended one gets a run born failed (`no_agent`, `skill_not_enabled`),
 * so the operator sees it.
 */
function planRun(
  input: StartRunInput,
  target: RunTarget,
): PlannedRun | Extract<CreateRunOutcome, { error: unknown }> {
  if (!target.skill)
    return {
      error: new SkillNotFoundError("id" in input.skill ? input.skill.id : input.skill.slug),
    };
  const validated = validateInputs(target.skill, input.inputs);
  if ("error" in validated) return validated;
  if (input.agentId && !target.agentId) return { error: new AgentNotFoundError(input.agentId) };
  const unattended = UNATTENDED.includes(input.source);
  const refusal = !target.agentId
    ? new NoDefaultAgentError()
    : !target.agentHasSkill
      ? new SkillNotEnabledError(target.agentName ?? target.agentId, target.skill.name)
      : null;
  if (refusal && !unattended) return { error: refusal };
  return {
    skill: target.skill,
    inputs: validated.inputs,
    agentId: target.agentId,
    bornFailed: refusal ? { code: refusal.code, reason: refusal.message } : null,
    tenantBudgeted: target.tenantBudgeted,
  };
}

/** The row of a new run, from a validated input; a run an unattended source cannot run is born failed. */
function runRow(input: StartRunInput, planned: PlannedRun) {
  return {
    tenantId: input.tenantId,
    skillId: planned.skill.id,
    skillVersion: planned.skill.versionHash,
    agentId: planned.agentId,
    source: input.source,
    invokerUserId: input.invoker?.userId ?? null,
    scheduleId: input.invoker?.scheduleId ?? null,
    webhookId: input.invoker?.webhookId ?? null,
    apiKeyId: input.invoker?.apiKeyId ?? null,
    parentRunId: input.parentRunId ?? null,
    inputs: planned.inputs,
    tags: uniqueTags(input.tags ?? []),
    idempotencyKey: input.idempotencyKey ?? null,
    idempotencyRequestHash: input.idempotencyKey ? idempotencyRequestHash(input) : null,
    reservedCostUsd: planned.reservedCostUsd ?? null,
    ...(planned.bornFailed
      ? {
          status: "failed" as const,
          failureCode: planned.bornFailed.code,
          failureReason: planned.bornFailed.reason,
          finishedAt: new Date(),
        }
      : {}),
  };
}

/** The first timeline events of a new run, written in the same statement as the run. */
function initialTimeline(input: StartRunInput, planned: PlannedRun) {
  return [
    { type: "queued", payload: { source: input.source, skillVersion: planned.skill.versionHash } },
    ...(planned.bornFailed
      ? [{ type: "failed", payload: { failureCode: planned.bornFailed.code } }]
      : []),
  ];
}

const onIdempotencyConflict = {
  target: [skillRuns.tenantId, skillRuns.source, skillRuns.idempotencyKey],
  where: sql`${skillRuns.idempotencyKey} is not null`,
};

type IdempotencyClaim = { tenantId: string; source: InvocationSource; key: string };
const claimOf = (input: StartRunInput): IdempotencyClaim | null =>
  input.idempotencyKey
    ? { tenantId: input.tenantId, source: input.source, key: input.idempotencyKey }
    : null;
const claimId = (claim: IdempotencyClaim) =>
  `${claim.tenantId}\u0000${claim.source}\u0000${claim.key}`;

type ClaimedRun = StartedRun["run"] & { requestHash: string | null };

/** The runs already created under these (tenant, source, idempotency key) claims, by claim. */
async function runsByIdempotencyKey(db: Database | Transaction, claims: IdempotencyClaim[]) {
  if (claims.length === 0) return new Map<string, ClaimedRun>();
  const rows = await db
    .select({
      ...runSummary,
      requestHash: skillRuns.idempotencyRequestHash,
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
    rows.map(({ tenantId, source, idempotencyKey, ...run }): [string, ClaimedRun] => [
      claimId({ tenantId, source, key: idempotencyKey ?? "" }),
      run,
    ]),
  );
}

/**
 * Whose idempotency keys a call carries. A caller's key (Run now, a REST client) is bound to
 * the request it first came with: a repeat with another request is refused. Skillrun's own
 * keys (a schedule's slot) get their run whatever changed since.
 */
type KeyOwner = "caller" | "skillrun";

/** The answer to a repeated idempotency key: the run it started, or the refusal of a caller's key reused for another request. */
function repeatOutcome(
  input: StartRunInput,
  claimed: Map<string, ClaimedRun>,
  keys: KeyOwner,
): CreateRunOutcome | null {
  const claim = claimOf(input);
  const existing = claim ? claimed.get(claimId(claim)) : undefined;
  if (!existing) return null;
  const { requestHash, ...run } = existing;
  // Runs from before the hash was recorded answer any repeat of their key, as they did then.
  if (keys === "caller" && requestHash !== null && requestHash !== idempotencyRequestHash(input))
    return { error: new IdempotencyKeyReusedError(run.id) };
  return { run, created: false };
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
  if (started.created) await dispatchCreatedRun(deps, started.run, input.tenantId, input.source);
  return started;
}

/**
 * The writing half of `startRun`, usable inside a caller's transaction: the caller dispatches
 * with `dispatchCreatedRun` after committing, so the function never looks for an uncommitted run.
 * A run left undispatched by a crash in between is resent by the reconciler. It is `createRuns`
 * for one input with the caller's key, its refusal thrown.
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
  if (!audit) return createOneRun(db, input);
  return db.transaction(async (tx) => {
    const started = await createOneRun(tx, input);
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

async function createOneRun(db: Database | Transaction, input: StartRunInput) {
  const [outcome] = await createRunsKeyedBy(db, [input], "caller");
  if (!outcome) throw new Error("createRuns left the input without an outcome");
  if ("error" in outcome) throw outcome.error;
  return outcome;
}

/**
 * `createRun` for many inputs at once, inside the caller's transaction (the schedules tick):
 * per input the same rules in the same order, with the same outcome — an existing run for its
 * idempotency key, else the skill, the inputs, the agent (`planRun`) — but each statement serves
 * all inputs: the runs of the keys, the skills and agents (`findRunTargets`), and one insert of
 * the runs with their first timeline events. A refusal is returned in the input's place rather
 * than thrown; the caller dispatches the created runs after committing, as with `createRun`.
 * The keys are taken as Skillrun's own: a repeat gets its run even if the request changed since.
 */
export function createRuns(
  db: Database | Transaction,
  inputs: StartRunInput[],
): Promise<CreateRunOutcome[]> {
  return createRunsKeyedBy(db, inputs, "skillrun");
}

async function createRunsKeyedBy(
  db: Database | Transaction,
  inputs: StartRunInput[],
  keys: KeyOwner,
): Promise<CreateRunOutcome[]> {
  const outcomes: (CreateRunOutcome | null)[] = inputs.map(() => null);
  // A repeat of a key gets the original run, even if the skill or agent changed since.
  const claimed = await runsByIdempotencyKey(
    db,
    inputs.flatMap((input) => claimOf(input) ?? []),
  );
  const pending = inputs.flatMap((input, index) => {
    outcomes[index] = repeatOutcome(input, claimed, keys);
    return outcomes[index] ? [] : [{ ...input, index }];
  });

  const toInsert = (await findRunTargets(db, pending)).flatMap(({ request, target }) => {
    const planned = planRun(request, target);
    if ("error" in planned) {
      outcomes[request.index] = planned;
      return [];
    }
    // The id is chosen here so each returned row finds its input.
    return [{ ...planned, input: request, id: crypto.randomUUID() }];
  });

  const INSERT_CHUNK = 1_000;
  const raced: typeof pending = [];
  // A budgeted tenant's starts are admitted under its budget lock, held until these inserts commit.
  await withinBudgets(db, toInsert.map(budgetedStart), async (budgetDb, verdicts) => {
    const admitted = toInsert.flatMap((planned, index) => {
      const verdict = verdicts[index];
      if (verdict && "error" in verdict) {
        outcomes[planned.input.index] = verdict;
        return [];
      }
      return [{ ...planned, reservedCostUsd: verdict?.reservedCostUsd ?? null }];
    });
    for (let offset = 0; offset < admitted.length; offset += INSERT_CHUNK) {
      const chunk = admitted.slice(offset, offset + INSERT_CHUNK);
      const created = await insertRuns(budgetDb, chunk);
      for (const planned of chunk) {
        const run = created.get(planned.id);
        if (run) outcomes[planned.input.index] = { run, created: true };
        else raced.push(planned.input);
      }
    }
  });
  if (raced.length) {
    // Concurrent calls with the same keys won those inserts.
    const winners = await runsByIdempotencyKey(
      db,
      raced.flatMap((input) => claimOf(input) ?? []),
    );
    for (const input of raced) {
      const outcome = repeatOutcome(input, winners, keys);
      if (!outcome) throw new Error("idempotency conflict without an existing run");
      outcomes[input.index] = outcome;
    }
  }
  return outcomes.map((outcome) => {
    if (!outcome) throw new Error("createRuns left an input without an outcome");
    return outcome;
  });
}

/**
 * The runs and their first timeline events in one statement (a writable CTE), each run's
 * events in order; a run whose idempotency key a concurrent call took is left out. The created
 * runs, by id.
 */
async function insertRuns(
  db: Database | Transaction,
  planned: (PlannedRun & { id: string; input: StartRunInput })[],
) {
  const insert = db
    .insert(skillRuns)
    .values(planned.map((run) => ({ id: run.id, ...runRow(run.input, run) })))
    .onConflictDoNothing(onIdempotencyConflict)
    .returning(runSummary);
  const timeline = planned.flatMap((run) =>
    initialTimeline(run.input, run).map((event) => ({
      run_id: run.id,
      tenant_id: run.input.tenantId,
      ...event,
    })),
  );
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
      from jsonb_to_recordset(${jsonbParam(timeline.map((event, seq) => ({ ...event, seq })))})
        as event(run_id uuid, tenant_id text, type text, payload jsonb, seq int)
        join created on created.id = event.run_id
      order by event.seq
    )
    select id, status, failure_code, created_at from created`);
  return new Map(
    rows.map((row): [string, StartedRun["run"]] => [
      row.id,
      {
        id: row.id,
        status: row.status,
        failureCode: row.failure_code,
        createdAt: new Date(row.created_at),
      },
    ]),
  );
}

/**
 * Waits before sending again after the engine answered a server error, as it does while its
 * PostgreSQL restarts; the SDK has tried five times over about 1.5 s by then.
 */
export const DISPATCH_RETRY_DELAYS_MS = [1_000, 2_000, 4_000];

/** The engine was reached but could not take the events (a 5xx answer); anything else is final. */
function engineCouldNotStore(error: unknown): boolean {
  return error instanceof Error && /^Inngest API Error: 5\d\d\b/.test(error.message);
}

/**
 * `send`, tried again while the engine answers a server error. Safe to repeat: each event
 * carries its run's id as event id, and the engine keeps one event per id.
 */
export async function sendRetryingOutage(dispatcher: RunDispatcher, events: RunEvent | RunEvent[]) {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await dispatcher.send(events);
    } catch (error) {
      const delay = DISPATCH_RETRY_DELAYS_MS[attempt];
      if (delay === undefined || !engineCouldNotStore(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * The `source` a run's requested event carries, which run-skill's priority reads: the run's own,
 * except that a schedule's run a person started with Run now (it has an invoking user) is sent
 * as `manual`, since someone is waiting for it. The run keeps `schedule` as its recorded source.
 */
export const requestedSource = (run: {
  source: InvocationSource;
  invokerUserId: string | null;
}): InvocationSource =>
  run.source === "schedule" && run.invokerUserId !== null ? "manual" : run.source;

/**
 * Sends a created, still queued run to the engine; a failed send fails the run visibly. With its
 * `source`, so run-skill starts an interactive run ahead of the tenant's unattended backlog.
 */
export async function dispatchCreatedRun(
  deps: RunServiceDeps,
  run: StartedRun["run"],
  tenantId: string,
  source?: InvocationSource,
) {
  if (run.status !== "queued") return;
  try {
    await sendRetryingOutage(deps.dispatcher, {
      name: RUN_REQUESTED,
      id: run.id,
      data: { runId: run.id, tenantId, ...(source ? { source } : {}) },
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
      await sendRetryingOutage(
        deps.dispatcher,
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

/** The cancel transition: one run's (`cancelRun`) and a bulk operation's batch (`cancelRuns`). */
const cancellation = (userId: string | null, now: Date, bulkOperationId?: string) => ({
  from: [...CANCELLABLE_RUN_STATUSES],
  set: {
    status: "cancelled" as const,
    cancelRequestedAt: now,
    finishedAt: now,
    cancelledByUserId: userId,
    liveOutput: null,
  },
  event: {
    type: "cancelled",
    payload: { by: userId, ...(bulkOperationId ? { bulkOperationId } : {}) },
  },
});

/**
 * `cancelRun`'s transition for a batch of one tenant's runs, inside the caller's transaction (a
 * bulk operation's): the runs still queued or running are cancelled, each with its timeline
 * event; the others are left alone. The caller sends `sendCancelRequests` after committing.
 */
export async function cancelRuns(
  tx: Database | Transaction,
  input: {
    tenantId: string;
    runIds: readonly string[];
    userId: string | null;
    bulkOperationId: string;
  },
): Promise<string[]> {
  const cancelled = await transitionRuns(
    tx,
    input.tenantId,
    input.runIds,
    cancellation(input.userId, new Date(), input.bulkOperationId),
  );
  await endPendingApprovals(
    tx,
    cancelled.map((runId) => ({ runId, tenantId: input.tenantId })),
    "cancelled",
  );
  return cancelled;
}

/** Events per send of cancel requests: one HTTP request each. */
const CANCEL_SEND_BATCH = 500;

/**
 * Tells the engine that these cancelled runs' functions should stop (cancelOn). A lost send
 * is logged only: the runs are cancelled already, and run-skill's own status checks stop them.
 */
export async function sendCancelRequests(
  dispatcher: RunDispatcher,
  tenantId: string,
  runIds: readonly string[],
) {
  for (let start = 0; start < runIds.length; start += CANCEL_SEND_BATCH) {
    const batch = runIds.slice(start, start + CANCEL_SEND_BATCH);
    await dispatcher
      .send(batch.map((runId) => ({ name: RUN_CANCEL_REQUESTED, data: { runId, tenantId } })))
      .catch((error: unknown) =>
        console.error(`cancel events for ${batch.length} runs not sent: ${String(error)}`),
      );
  }
}

/**
 * CAS queued|running|awaiting_approval → cancelled (a pending approval request ends with it, in
 * the same transaction), then tells the engine (cancelOn) so no further step runs.
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
    const done = await transitionRun(tx, input, cancellation(input.userId ?? null, now));
    if (done) await endPendingApprovals(tx, [input], "cancelled");
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
  await dispatchEndedRunDeliveries(deps, input);
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
    /** Left out: the original run's. */
    tags?: readonly string[];
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
      tags: skillRuns.tags,
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
      tags: input.tags ?? original.tags,
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
