import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { skillRuns, skills } from "@/server/db/schema";
import type { FailureCode, RunStatus } from "@/server/db/schema/enums";
import type { Deliverable, PiiMaskCounts, RunConfigSnapshot } from "@/server/db/schema/runs";
import type { ModelFailureDetail } from "@/lib/model-failure";
import { transitionRun, type RunRef } from "./run-timeline";

export type { RunRef } from "./run-timeline";

/**
 * The transitions the run-skill function makes, each a compare-and-set on the current status
 * with its timeline event in the same statement. Terminal states never change again.
 */


export type TokenUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Filled when the turn ends, from the versioned price table (null: unpriced model). */
  costUsd?: string | null;
};

export const ZERO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

const whereRun = (ref: RunRef, status?: RunStatus) =>
  and(eq(skillRuns.id, ref.runId), eq(skillRuns.tenantId, ref.tenantId), status ? eq(skillRuns.status, status) : undefined);

/** queued → running. False when the run is anything but queued (e.g. cancelled before start). */
export async function markRunning(db: Database, ref: RunRef, inngestRunId?: string): Promise<boolean> {
  return transitionRun(db, ref, { from: ["queued"], set: { status: "running", startedAt: new Date(), inngestRunId: inngestRunId ?? null }, event: { type: "running" } });
}

/** What the agent turn needs of the run: its agent, inputs, invoker and the skill it runs. */
export async function loadRunForTurn(db: Database, ref: RunRef) {
  const [run] = await db
    .select({
      status: skillRuns.status,
      agentId: skillRuns.agentId,
      inputs: skillRuns.inputs,
      invokerUserId: skillRuns.invokerUserId,
      configSnapshot: skillRuns.configSnapshot,
      skill: { id: skills.id, name: skills.name, instructions: skills.instructions, referenceFiles: skills.referenceFiles },
    })
    .from(skillRuns)
    .innerJoin(skills, eq(skills.id, skillRuns.skillId))
    .where(whereRun(ref));
  return run ?? null;
}

export async function getRunStatus(db: Database, ref: RunRef): Promise<RunStatus | null> {
  const [run] = await db.select({ status: skillRuns.status }).from(skillRuns).where(whereRun(ref));
  return run?.status ?? null;
}

export async function saveConfigSnapshot(db: Database, ref: RunRef, snapshot: RunConfigSnapshot) {
  await transitionRun(db, ref, {
    from: ["running"],
    set: { configSnapshot: snapshot },
    event: { type: "config_resolved", payload: { model: snapshot.model, agent: snapshot.agent } },
  });
}

/**
 * The re-execution guard: the first execution of the agent-turn step claims the turn; any
 * later execution finds it claimed and must fail the run instead of running the turn twice.
 */
export async function claimTurn(db: Database, ref: RunRef): Promise<boolean> {
  const [run] = await db
    .update(skillRuns)
    .set({ turnStartedAt: new Date() })
    .where(and(whereRun(ref, "running"), isNull(skillRuns.turnStartedAt)))
    .returning({ id: skillRuns.id });
  return Boolean(run);
}

/** running → complete; `masked` is what the guardrail replaced in the markdown, stored with it. */
export async function completeRun(db: Database, ref: RunRef, result: { markdown: string; masked?: PiiMaskCounts; usage: TokenUsage }) {
  const deliverable: Deliverable = { type: "inline", format: "markdown", payload: result.markdown, ...(result.masked ? { masked: result.masked } : {}) };
  return transitionRun(db, ref, {
    from: ["running"],
    set: { status: "complete", deliverable, finishedAt: new Date(), ...result.usage },
    event: { type: "complete", payload: { chars: result.markdown.length } },
  });
}

/** running → failed (or queued → failed when it never started), always with a specific reason. */
export async function failRun(db: Database, ref: RunRef, failure: { code: FailureCode; reason: string; usage?: TokenUsage; detail?: ModelFailureDetail }) {
  return transitionRun(db, ref, {
    from: ["running", "queued"],
    set: { status: "failed", failureCode: failure.code, failureReason: failure.reason, failureDetail: failure.detail ?? null, finishedAt: new Date(), ...(failure.usage ?? {}) },
    event: { type: "failed", payload: { failureCode: failure.code, reason: failure.reason } },
  });
}

/**
 * The operator-facing reason for a run whose function crashed. For a query that failed, the
 * driver's message ("write CONNECTION_CLOSED …" while PostgreSQL restarts), never drizzle's
 * "Failed query: <sql> params: <values>", whose values can be the run's inputs or deliverable.
 */
export function crashReason(error: Error): string {
  if (!error.message.startsWith("Failed query:")) return `The run crashed: ${error.message}`;
  return error.cause instanceof Error ? `The run crashed on a database error: ${error.cause.message}` : "The run crashed on a database error.";
}

/** Usage of a turn that ended otherwise (e.g. cancelled): recorded without changing the status. */
export async function recordUsage(db: Database, ref: RunRef, usage: TokenUsage) {
  await db.update(skillRuns).set(usage).where(whereRun(ref));
}
