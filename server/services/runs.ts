import { and, eq, sql } from "drizzle-orm";
import { compileSkillInputs, type InputsSchema } from "@/lib/skill-inputs";
import type { Database, Transaction } from "@/server/db/client";
import { agents, runEvents, skillRuns, skills } from "@/server/db/schema";
import type { FailureCode, InvocationSource, RunStatus } from "@/server/db/schema/enums";
import { AgentNotFoundError } from "./agent-config";
import {
  DispatchFailedError,
  InputsInvalidError,
  NoDefaultAgentError,
  RunNotCancellableError,
  RunNotFoundError,
  SkillNotFoundError,
} from "./run-errors";
import { transitionRun } from "./run-timeline";
import { ownSkillFirst, skillVisibleTo } from "./skills";

export { appendRunEvent } from "./run-timeline";

export const RUN_REQUESTED = "skill/run.requested";
export const RUN_CANCEL_REQUESTED = "skill/run.cancel-requested";

/** What the services need of Inngest: the client's `send` fits. */
export type RunDispatcher = {
  send: (event: { name: string; id?: string; data: { runId: string; tenantId: string } }) => Promise<{ ids: string[] }>;
};
export type RunServiceDeps = { db: Database; dispatcher: RunDispatcher };

export type RunInvoker = { userId?: string | null; scheduleId?: string | null; webhookId?: string | null; apiKeyId?: string | null };

export type StartRunInput = {
  tenantId: string;
  skill: { slug: string } | { id: string };
  agentId?: string | null;
  inputs: Record<string, unknown>;
  source: InvocationSource;
  invoker?: RunInvoker;
  idempotencyKey?: string | null;
  parentRunId?: string | null;
};

const CANCELLABLE: readonly RunStatus[] = ["queued", "running"];
/** Sources without a person waiting for an answer: their problems become visible failed runs. */
const UNATTENDED: readonly InvocationSource[] = ["schedule", "webhook"];

/** The one definition of "can be cancelled", shared by the server and the UI. */
export function isCancellable(status: RunStatus): boolean {
  return CANCELLABLE.includes(status);
}

const validators = new Map<string, ReturnType<typeof compileSkillInputs>>();

/** Validates (and fills defaults into a copy of) the inputs against the skill's current schema. */
function validateInputs(skill: { id: string; versionHash: string; inputsSchema: InputsSchema }, inputs: Record<string, unknown>) {
  const key = `${skill.id}:${skill.versionHash}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = compileSkillInputs(skill.inputsSchema);
    validators.set(key, validate);
  }
  const result = validate(inputs);
  if (!result.valid) throw new InputsInvalidError(result.fieldErrors);
  return result.value;
}

async function findSkill(db: Database | Transaction, tenantId: string, ref: StartRunInput["skill"]) {
  const [skill] = await db
    .select({ id: skills.id, slug: skills.slug, versionHash: skills.versionHash, inputsSchema: skills.inputsSchema })
    .from(skills)
    .where(and("id" in ref ? eq(skills.id, ref.id) : eq(skills.slug, ref.slug), skillVisibleTo(tenantId)))
    .orderBy(ownSkillFirst)
    .limit(1);
  if (!skill) throw new SkillNotFoundError("id" in ref ? ref.id : ref.slug);
  return skill;
}

async function findAgentId(db: Database | Transaction, tenantId: string, agentId: string | null | undefined): Promise<string | null> {
  const [agent] = await db
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.tenantId, tenantId), agentId ? eq(agents.id, agentId) : eq(agents.isDefault, true)));
  if (agentId && !agent) throw new AgentNotFoundError(agentId);
  return agent?.id ?? null;
}

const runSummary = { id: skillRuns.id, status: skillRuns.status, failureCode: skillRuns.failureCode, createdAt: skillRuns.createdAt };
export type StartedRun = { run: { id: string; status: RunStatus; failureCode: FailureCode | null; createdAt: Date }; created: boolean };

/**
 * Creates a queued run and dispatches it. Validation happens before anything is written; an
 * idempotency key returns the run already created with it (also under concurrent calls).
 * Without an agent and a tenant default, interactive sources get an error while unattended
 * ones get a run that fails at once with `no_agent`, so the operator sees it.
 */
export async function startRun(deps: RunServiceDeps, input: StartRunInput): Promise<StartedRun> {
  const started = await createRun(deps.db, input);
  if (started.created) await dispatchCreatedRun(deps, started.run, input.tenantId);
  return started;
}

/**
 * The writing half of `startRun`, usable inside a caller's transaction: the caller dispatches
 * with `dispatchCreatedRun` after committing, so the function never looks for an uncommitted run.
 * A run left undispatched by a crash in between is resent by the reconciler.
 */
export async function createRun(db: Database | Transaction, input: StartRunInput): Promise<StartedRun> {
  const { tenantId } = input;
  // A retry with the same key gets the original run, even if the skill or agent changed since.
  if (input.idempotencyKey) {
    const [existing] = await db
      .select(runSummary)
      .from(skillRuns)
      .where(and(eq(skillRuns.tenantId, tenantId), eq(skillRuns.idempotencyKey, input.idempotencyKey)));
    if (existing) return { run: existing, created: false };
  }
  const skill = await findSkill(db, tenantId, input.skill);
  const inputs = validateInputs(skill, input.inputs);
  const agentId = await findAgentId(db, tenantId, input.agentId);
  if (!agentId && !UNATTENDED.includes(input.source)) throw new NoDefaultAgentError();

  const noAgent = !agentId;
  const insert = db
    .insert(skillRuns)
    .values({
      tenantId,
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
      ...(noAgent
        ? { status: "failed" as const, failureCode: "no_agent" as const, failureReason: new NoDefaultAgentError().message, finishedAt: new Date() }
        : {}),
    })
    .onConflictDoNothing({ target: [skillRuns.tenantId, skillRuns.idempotencyKey], where: sql`${skillRuns.idempotencyKey} is not null` })
    .returning({ id: skillRuns.id, status: skillRuns.status, failureCode: skillRuns.failureCode, createdAt: skillRuns.createdAt });
  const timeline = [
    { type: "queued", payload: { source: input.source, skillVersion: skill.versionHash } },
    ...(noAgent ? [{ type: "failed", payload: { failureCode: "no_agent" } }] : []),
  ];
  // The run and its first timeline events in one statement (a writable CTE).
  const [row] = await db.execute<{ id: string; status: RunStatus; failure_code: FailureCode | null; created_at: string | Date }>(sql`
    with created as (${insert.getSQL()}),
    timeline as (
      insert into ${runEvents} (run_id, tenant_id, type, payload)
      select created.id, ${tenantId}, event.type, event.payload
      from created cross join jsonb_to_recordset(${JSON.stringify(timeline)}::text::jsonb) as event(type text, payload jsonb)
    )
    select id, status, failure_code, created_at from created`);
  const created = row ? { id: row.id, status: row.status, failureCode: row.failure_code, createdAt: new Date(row.created_at) } : null;

  if (!created) {
    // A concurrent call with the same key won the insert.
    const [existing] = await db
      .select(runSummary)
      .from(skillRuns)
      .where(and(eq(skillRuns.tenantId, tenantId), eq(skillRuns.idempotencyKey, input.idempotencyKey ?? "")));
    if (!existing) throw new Error("idempotency conflict without an existing run");
    return { run: existing, created: false };
  }
  return { run: created, created: true };
}

/** Sends a created, still queued run to the engine; a failed send fails the run visibly. */
export async function dispatchCreatedRun(deps: RunServiceDeps, run: StartedRun["run"], tenantId: string) {
  if (run.status !== "queued") return;
  try {
    await deps.dispatcher.send({ name: RUN_REQUESTED, id: run.id, data: { runId: run.id, tenantId } });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    await failQueuedRun(deps.db, { runId: run.id, tenantId, failureCode: "dispatch_failed", reason: `The run could not be dispatched: ${cause}` });
    throw new DispatchFailedError(run.id, cause);
  }
}

/** CAS queued → failed with a reason; a run that moved on is left alone. */
export async function failQueuedRun(db: Database, input: { runId: string; tenantId: string; failureCode: FailureCode; reason: string }) {
  return transitionRun(db, input, {
    from: ["queued"],
    set: { status: "failed", failureCode: input.failureCode, failureReason: input.reason, finishedAt: new Date() },
    event: { type: "failed", payload: { failureCode: input.failureCode, reason: input.reason } },
  });
}

/**
 * CAS queued|running → cancelled, then tells the engine (cancelOn) so no further step runs.
 * The run is cancelled in the database first: if the event cannot be sent, the function's
 * own status checks still stop it.
 */
export async function cancelRun(deps: RunServiceDeps, input: { tenantId: string; runId: string; userId?: string | null }) {
  const { db } = deps;
  const now = new Date();
  const cancelled = await transitionRun(db, input, {
    from: [...CANCELLABLE],
    set: { status: "cancelled", cancelRequestedAt: now, finishedAt: now, cancelledByUserId: input.userId ?? null },
    event: { type: "cancelled", payload: { by: input.userId ?? null } },
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
    .catch((error: unknown) => console.error(`cancel event for run ${input.runId} not sent: ${String(error)}`));
  return { id: input.runId, status: "cancelled" as const };
}

/**
 * A new run of the same skill (its current version) with the original or edited inputs;
 * says whether the skill changed since the original ran.
 */
export async function rerunRun(
  deps: RunServiceDeps,
  input: { tenantId: string; runId: string; inputs?: Record<string, unknown>; agentId?: string | null; invoker?: RunInvoker },
) {
  const [original] = await deps.db
    .select({ id: skillRuns.id, skillId: skillRuns.skillId, skillVersion: skillRuns.skillVersion, inputs: skillRuns.inputs, agentId: skillRuns.agentId })
    .from(skillRuns)
    .where(and(eq(skillRuns.id, input.runId), eq(skillRuns.tenantId, input.tenantId)));
  if (!original) throw new RunNotFoundError(input.runId);
  const started = await startRun(deps, {
    tenantId: input.tenantId,
    skill: { id: original.skillId },
    agentId: input.agentId === undefined ? original.agentId : input.agentId,
    inputs: input.inputs ?? original.inputs,
    source: "rerun",
    invoker: input.invoker,
    parentRunId: original.id,
  });
  const [skill] = await deps.db.select({ versionHash: skills.versionHash }).from(skills).where(eq(skills.id, original.skillId));
  return { ...started, skillChangedSinceOriginal: skill?.versionHash !== original.skillVersion };
}
