import "server-only";
import { createHash } from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { ModelMessage } from "ai";
import type { ApprovalKind } from "@/lib/enums";
import type { TokenUsage } from "@/server/agent/usage";
import type { Database } from "@/server/db/client";
import { storableText } from "@/server/db/storable";
import { runApprovals, skillRuns, type GatedToolCall } from "@/server/db/schema";
import { RUN_APPROVAL_DECIDED, type RunRef } from "@/inngest/events";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";
import { MAX_DECISION_REASON_CHARS } from "@/lib/schemas/approvals";
import { ApprovalChangedError, ApprovalNotPendingError } from "./approval-errors";
import { RunNotFoundError } from "./run-errors";
import { appendRunEvent, transitionRun } from "./run-timeline";
import type { RunServiceDeps } from "./runs";

/**
 * The human review gate (issue 22). A turn that reaches a gated action pauses: the request and
 * the turn's state are stored and the run moves running → awaiting_approval in one transaction.
 * An operator's decision is a compare-and-set on the pending request (so two approvers cannot
 * both win); the step that continues the run claims the decided request once (so a
 * re-executed step never repeats the tool or the model call); a request nobody decided expires.
 */

/** Who decided, as the timeline and the inbox name them. */
export type Decider = { userId: string | null; label: string };

/** What a paused turn stores: a held tool call's turn state, or a draft deliverable. */
export type PauseRequest =
  | {
      kind: "tool";
      toolCalls: GatedToolCall[];
      conversation: ModelMessage[];
      usage: TokenUsage;
      stepsUsed: number;
    }
  | { kind: "deliverable"; draft: string; usage: TokenUsage; stepsUsed: number };

/** The same action with the same arguments (JSON with sorted keys) has the same key. */
export function actionKeyOf(request: PauseRequest): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === "object")
      return Object.fromEntries(
        Object.entries(value)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, entry]) => [key, canonical(entry)]),
      );
    return value;
  };
  const action =
    request.kind === "tool"
      ? request.toolCalls.map((call) => [call.server, call.toolName, canonical(call.input)])
      : ["deliverable", request.draft];
  return createHash("sha256").update(JSON.stringify(action)).digest("hex");
}

/** Rolls the pause back when the run had left `running` meanwhile (e.g. it was cancelled). */
class RunNotRunning extends Error {}

/**
 * running → awaiting_approval with the request stored, in one transaction. Returns the request's
 * id, or null when the run was no longer running (nothing is stored then).
 */
export async function pauseForApproval(
  db: Database,
  ref: RunRef,
  request: PauseRequest,
  timeoutSeconds: number,
): Promise<string | null> {
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(runApprovals)
        .values({
          tenantId: ref.tenantId,
          runId: ref.runId,
          kind: request.kind,
          toolCalls: request.kind === "tool" ? request.toolCalls : [],
          draft: request.kind === "deliverable" ? request.draft : null,
          conversation: request.kind === "tool" ? request.conversation : [],
          usage: request.usage,
          stepsUsed: request.stepsUsed,
          actionKey: actionKeyOf(request),
          expiresAt: sql`now() + make_interval(secs => ${timeoutSeconds})`,
        })
        .returning({ id: runApprovals.id, expiresAt: runApprovals.expiresAt });
      if (!row) throw new RunNotRunning();
      const paused = await transitionRun(tx, ref, {
        from: ["running"],
        set: { status: "awaiting_approval", liveOutput: null, activeCalls: {} },
        event: {
          type: "awaiting_approval",
          payload: {
            approvalId: row.id,
            kind: request.kind,
            tools: request.kind === "tool" ? request.toolCalls.map((call) => call.toolName) : [],
            expiresAt: row.expiresAt.toISOString(),
          },
        },
      });
      if (!paused) throw new RunNotRunning();
      return row.id;
    });
  } catch (error) {
    if (error instanceof RunNotRunning) return null;
    throw error;
  }
}

/**
 * An operator's decision on the run's pending request: approve, or reject with a reason. A
 * compare-and-set on the request (pending, not expired, its run awaiting approval), with its
 * timeline event and audit entry in the same transaction; then the waiting function is told. A
 * foreign, unknown or not-waiting run changes nothing and says why.
 */
export async function decideApproval(
  deps: RunServiceDeps,
  input: {
    tenantId: string;
    runId: string;
    decision: "approve" | "reject";
    reason: string | null;
    decider: Decider;
    audit: AuditContext;
    /**
     * The request (or, in bulk, the action) the person saw; another one pending is not decided.
     * Absent only for a REST caller that names no request: whatever the run waits on.
     */
    seen?: { approvalId: string } | { actionKey: string };
  },
): Promise<{ approvalId: string; kind: ApprovalKind }> {
  const { db } = deps;
  const ref = { runId: input.runId, tenantId: input.tenantId };
  const reason = input.reason === null ? null : storableText(input.reason, MAX_REASON_CHARS);
  const decided = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(runApprovals)
      .set({
        state: input.decision === "approve" ? "approved" : "rejected",
        decidedAt: sql`now()`,
        decidedByUserId: input.decider.userId,
        decidedBy: input.decider.label,
        reason,
      })
      .where(
        and(
          eq(runApprovals.runId, input.runId),
          eq(runApprovals.tenantId, input.tenantId),
          eq(runApprovals.state, "pending"),
          input.seen === undefined
            ? undefined
            : "approvalId" in input.seen
              ? eq(runApprovals.id, input.seen.approvalId)
              : eq(runApprovals.actionKey, input.seen.actionKey),
          sql`${runApprovals.expiresAt} > now()`,
          sql`exists (select 1 from ${skillRuns} where ${skillRuns.id} = ${runApprovals.runId} and ${skillRuns.tenantId} = ${input.tenantId} and ${skillRuns.status} = 'awaiting_approval')`,
        ),
      )
      .returning({
        id: runApprovals.id,
        kind: runApprovals.kind,
        toolCalls: runApprovals.toolCalls,
      });
    if (!row) return null;
    const tools = row.toolCalls.map((call) => call.toolName);
    await appendRunEvent(tx, {
      ...ref,
      type: "approval_decided",
      payload: {
        approvalId: row.id,
        decision: input.decision === "approve" ? "approved" : "rejected",
        kind: row.kind,
        tools,
        by: input.decider.label,
        ...(reason === null ? {} : { reason }),
      },
    });
    await recordAudit(tx, {
      tenantId: input.tenantId,
      ...input.audit,
      action: input.decision === "approve" ? "run.approve" : "run.reject",
      target: { type: "run", id: input.runId },
      metadata: { kind: row.kind, tools, ...(reason === null ? {} : { reason }) },
    });
    return { approvalId: row.id, kind: row.kind };
  });
  if (!decided) throw await whyNotDecidable(db, ref, input.seen);
  await deps.dispatcher
    .send({
      name: RUN_APPROVAL_DECIDED,
      id: decisionEventId(decided.approvalId),
      data: { ...ref, approvalId: decided.approvalId },
    })
    .then(() => markDecisionsSent(db, ref.tenantId, [decided.approvalId]))
    .catch((error: unknown) =>
      // The decision stands: the reconciler sends its event again (reconcile.ts).
      console.error(`approval event for run ${input.runId} not sent: ${String(error)}`),
    );
  return decided;
}

/**
 * The decisions' events reached the engine: the reconciler leaves them alone, however long
 * their runs wait for a concurrency slot.
 */
export async function markDecisionsSent(
  db: Database,
  tenantId: string,
  approvalIds: readonly string[],
): Promise<void> {
  if (approvalIds.length === 0) return;
  await db
    .update(runApprovals)
    .set({ decisionSentAt: sql`now()` })
    .where(
      and(
        eq(runApprovals.tenantId, tenantId),
        inArray(runApprovals.id, [...approvalIds]),
        isNull(runApprovals.decisionSentAt),
      ),
    );
}

/**
 * The decision's event id, the same for every send of it: a repeated send (the reconciler's,
 * for one that seemed lost) is deduplicated by the engine. Not the request's id, which its own
 * event (to the same function) carries.
 */
export const decisionEventId = (approvalId: string) => `${approvalId}:decided`;

/** A rejection's reason: a readable paragraph, as failure reasons are. */
export const MAX_REASON_CHARS = MAX_DECISION_REASON_CHARS;

async function whyNotDecidable(
  db: Database,
  ref: RunRef,
  seen: { approvalId: string } | { actionKey: string } | undefined,
): Promise<ServiceError> {
  const [run] = await db
    .select({
      status: skillRuns.status,
      expired: sql<boolean>`exists (select 1 from ${runApprovals} where ${runApprovals.runId} = ${skillRuns.id} and ${runApprovals.state} = 'pending' and ${runApprovals.expiresAt} <= now())`,
    })
    .from(skillRuns)
    .where(and(eq(skillRuns.id, ref.runId), eq(skillRuns.tenantId, ref.tenantId)));
  if (!run) return new RunNotFoundError(ref.runId);
  if (seen && run.status === "awaiting_approval" && !run.expired)
    return new ApprovalChangedError(seen);
  return new ApprovalNotPendingError(run.status, run.status === "awaiting_approval" && run.expired);
}

/**
 * Bulk approve: every run must be the tenant's (else nothing is decided: not found), then each
 * is its own decision; one no longer waiting is reported by its error code, the rest go on.
 */
export async function approveRuns(
  deps: RunServiceDeps,
  input: {
    tenantId: string;
    runIds: string[];
    actionKey: string;
    decider: Decider;
    audit: AuditContext;
  },
): Promise<{ runId: string; approved: boolean; error: string | null }[]> {
  const runIds = [...new Set(input.runIds)];
  const found = await deps.db
    .select({ id: skillRuns.id })
    .from(skillRuns)
    .where(and(eq(skillRuns.tenantId, input.tenantId), inArray(skillRuns.id, runIds)));
  const missing = runIds.find((runId) => !found.some((run) => run.id === runId));
  if (missing) throw new RunNotFoundError(missing);
  const results: { runId: string; approved: boolean; error: string | null }[] = [];
  for (const runId of runIds) {
    try {
      await decideApproval(deps, {
        ...input,
        runId,
        decision: "approve",
        reason: null,
        seen: { actionKey: input.actionKey },
      });
      results.push({ runId, approved: true, error: null });
    } catch (error) {
      if (!(error instanceof ServiceError)) throw error;
      results.push({ runId, approved: false, error: error.code });
    }
  }
  return results;
}
