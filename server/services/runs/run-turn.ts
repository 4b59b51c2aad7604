import "server-only";

import { checkInputs, checkText, totalMasked } from "@/server/agent/guardrail";
import { ModelNotConfiguredError, type ModelResolver } from "@/server/agent/models";
import { connectMcpTools, McpConnectionError } from "@/server/agent/mcp";
import { ZERO_USAGE } from "@/server/agent/usage";
import { runAgentTurn, type TurnOutcome, type TurnResumption } from "@/server/agent/turn";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import type { Database } from "@/server/db/client";
import { SecretDecryptionError } from "@/server/crypto/secrets";
import {
  AgentNotFoundError,
  resolveAgentRuntimeConfig,
  TemplateNotFoundError,
} from "@/server/services/catalog/agent-config";
import { searchKnowledgeBases } from "@/server/services/catalog/knowledge";
import {
  claimTurn,
  completeRun,
  failRun,
  getRunStatus,
  loadRunForTurn,
  recordUsage,
  saveConfigSnapshot,
} from "./run-lifecycle";
import type { RunRef } from "@/inngest/events";
import { appendRunEvent } from "./runs";
import { readTurnOutcome, UNREADABLE_TURN_REASON } from "./step-results";
import { turnRecorder } from "./turn-recorder";
import type { LiveOutputWriter } from "./live-output";
import { queueEndedRunDeliveries, type QueuedDelivery } from "@/server/services/deliveries/queue";
import { SkillNotEnabledError } from "./run-errors";
import { loadMcpConnections } from "./mcp-connections";
import { approvalGate, pause, priced } from "./approval-gate";
import { interruptedOrCancelled, withLiveOutput, type GuardedTurnOutcome } from "./turn-outcome";

export type { GuardedTurnOutcome } from "./turn-outcome";

/** How a turn begins: claimed once (a new turn), or continued after a decision. */
export type TurnBeginning = { claim: () => Promise<boolean>; resume?: TurnResumption };

/** How often a running turn checks whether its run was cancelled. */
export const CANCEL_POLL_MS = 500;

/**
 * Resolves the run's agent config and stores it as the run's snapshot. Returns false (and
 * fails the run with the specific reason) when there is nothing to run.
 */
export async function resolveRunConfig(db: Database, ref: RunRef): Promise<boolean> {
  const run = await loadRunForTurn(db, ref);
  if (!run || run.status !== "running") return false;
  if (!run.agentId) {
    await failRun(db, ref, {
      code: "no_agent",
      reason: "The run has no agent (it was removed, and the tenant has no default agent).",
    });
    return false;
  }

  if (!run.skill || !run.skillEnabled) {
    await failRun(db, ref, {
      code: "skill_not_found",
      reason: run.skill
        ? "The skill was disabled or deleted after the run was queued."
        : `The skill version the run pinned (${run.skillVersion}) is no longer stored.`,
    });
    return false;
  }
  try {
    const config = await resolveAgentRuntimeConfig(db, {
      tenantId: ref.tenantId,
      agentId: run.agentId,
      currentUserId: run.invokerUserId,
    });
    // The agent's skills may have changed since the run was queued: checked again here.
    if (!config.skills.some((skill) => skill.id === run.skillId)) {
      await failRun(db, ref, {
        code: "skill_not_enabled",
        reason: new SkillNotEnabledError(config.agent.name, run.skill.name).message,
      });
      return false;
    }
    await saveConfigSnapshot(db, ref, config);
    return true;
  } catch (error) {
    if (error instanceof AgentNotFoundError || error instanceof TemplateNotFoundError) {
      await failRun(db, ref, { code: "agent_not_found", reason: error.message });
      return false;
    }
    throw error;
  }
}

/**
 * The agent turn, at most once per run: a second execution of this step (a retry, a
 * re-delivered request) finds the turn claimed and reports `interrupted` instead of calling
 * the model again. Guardrails run on the inputs before and the deliverable after.
 */
export async function executeTurn(
  db: Database,
  ref: RunRef,
  resolveModel: ModelResolver,
  inngestRunId?: string,
): Promise<GuardedTurnOutcome> {
  return withLiveOutput(db, ref, (live) =>
    runTurnOnce(db, ref, resolveModel, live, { claim: () => claimTurn(db, ref, inngestRunId) }),
  );
}

export async function runTurnOnce(
  db: Database,
  ref: RunRef,
  resolveModel: ModelResolver,
  live: LiveOutputWriter,
  beginning: TurnBeginning,
): Promise<GuardedTurnOutcome> {
  if (!(await beginning.claim())) return interruptedOrCancelled(db, ref);
  const run = await loadRunForTurn(db, ref);
  if (!run?.configSnapshot || !run.skill)
    return {
      kind: "failed",
      code: "agent_crashed",
      reason: run?.skill
        ? "The run's configuration snapshot is missing."
        : "The skill version the run pinned is missing.",
      usage: ZERO_USAGE,
    };
  const { skill } = run;
  // The snapshot is exactly what resolve-config stored: the turn runs with what the run shows.
  const config = run.configSnapshot;

  let model;
  try {
    model = resolveModel(config.model);
  } catch (error) {
    if (error instanceof ModelNotConfiguredError)
      return {
        kind: "failed",
        code: "model_not_configured",
        reason: error.message,
        usage: ZERO_USAGE,
      };
    throw error;
  }

  // A resumed turn's inputs passed the guardrail before it paused.
  if (config.guardrail && !beginning.resume) {
    const verdict = checkInputs(config.guardrail.rules, run.inputs);
    await appendRunEvent(db, {
      ...ref,
      type: "guardrail",
      payload: {
        stage: "inputs",
        guardrail: config.guardrail.name,
        ok: verdict.ok,
        ...(verdict.ok ? {} : { rule: verdict.rule }),
      },
    });
    if (!verdict.ok)
      return {
        kind: "failed",
        code: "guardrail_blocked",
        reason: `Guardrail "${config.guardrail.name}" blocked the inputs: ${verdict.rule}.`,
        usage: ZERO_USAGE,
      };
  }

  let mcp: Awaited<ReturnType<typeof connectMcpTools>> | null = null;
  if (config.mcpServers.length) {
    try {
      mcp = await connectMcpTools(
        await loadMcpConnections(
          db,
          ref.tenantId,
          config.mcpServers.map((server) => server.id),
        ),
        config.blockedTools,
      );
    } catch (error) {
      if (error instanceof McpConnectionError || error instanceof SecretDecryptionError)
        return { kind: "failed", code: "agent_crashed", reason: error.message, usage: ZERO_USAGE };
      throw error;
    }
  }

  const cancel = new AbortController();
  // Any status but running ends the turn: cancelled, or failed meanwhile (the reconciler's
  // stale cutoff, a duplicate step that reported `interrupted`).
  const poll = setInterval(() => {
    getRunStatus(db, ref)
      .then((status) => {
        if (status !== "running") cancel.abort();
      })
      .catch(() => {
        // A failed status check is retried at the next tick; the turn's own timeout still holds.
      });
  }, CANCEL_POLL_MS);
  let turn: TurnOutcome;
  try {
    turn = await runAgentTurn({
      model,
      config,
      skill,
      inputs: run.inputs,
      cancelSignal: cancel.signal,
      mcpTools: mcp?.tools,
      needsApproval: approvalGate(config, mcp?.serverOf ?? {}),
      resume: beginning.resume,
      searchKnowledgeBase: (query, limit) =>
        searchKnowledgeBases(db, {
          tenantId: ref.tenantId,
          knowledgeBaseIds: config.knowledgeBases.map((knowledgeBase) => knowledgeBase.id),
          query,
          limit,
        }),
      ...turnRecorder(db, ref),
      onText: live.follow(config.guardrail?.rules ?? null),
    });
  } finally {
    clearInterval(poll);
    await live.close();
    await mcp?.close();
  }
  if (turn.kind === "paused") {
    const serverOf = mcp?.serverOf ?? {};
    return pause(db, ref, config, {
      kind: "tool",
      toolCalls: turn.toolCalls.map((call) => ({
        ...call,
        server: (config.tools as string[]).includes(call.toolName)
          ? null
          : (serverOf[call.toolName] ?? null),
      })),
      conversation: turn.conversation,
      usage: priced(config, turn.usage),
      stepsUsed: turn.stepsUsed,
    });
  }
  const outcome: Exclude<TurnOutcome, { kind: "paused" }> = {
    ...turn,
    usage: priced(config, turn.usage),
  };
  // A cancelled run's engine run is cancelled too, so no `finish` step follows: record now.
  if (outcome.kind === "cancelled") await recordUsage(db, ref, outcome.usage);
  const guarded = await guardDeliverable(db, ref, config, outcome);
  if (guarded.kind !== "complete" || !config.approval?.deliverable) return guarded;
  return pause(db, ref, config, {
    kind: "deliverable",
    draft: guarded.markdown,
    usage: guarded.usage,
    stepsUsed: 0,
  });
}

/** The deliverable guardrail: blocks, masks or passes the turn's deliverable, on the timeline. */
async function guardDeliverable(
  db: Database,
  ref: RunRef,
  config: AgentRuntimeConfig,
  outcome: Exclude<TurnOutcome, { kind: "paused" }>,
): Promise<GuardedTurnOutcome> {
  if (outcome.kind !== "complete" || !config.guardrail) return outcome;
  const guardrail = config.guardrail.name;
  const verdict = checkText(config.guardrail.rules, outcome.markdown, { enforceLength: true });
  if (!verdict.ok) {
    await appendRunEvent(db, {
      ...ref,
      type: "guardrail",
      payload: { stage: "deliverable", guardrail, ok: false, rule: verdict.rule },
    });
    return {
      kind: "failed",
      code: "guardrail_blocked",
      reason: `Guardrail "${guardrail}" blocked the deliverable: ${verdict.rule}.`,
      usage: outcome.usage,
    };
  }
  const total = totalMasked(verdict.masked);
  // "Passed" is recorded only for a deliverable stored exactly as the model wrote it.
  if (total === 0) {
    await appendRunEvent(db, {
      ...ref,
      type: "guardrail",
      payload: { stage: "deliverable", guardrail, ok: true },
    });
    return outcome;
  }
  await appendRunEvent(db, {
    ...ref,
    type: "guardrail_masked",
    payload: { stage: "deliverable", guardrail, counts: verdict.masked, total },
  });
  return { ...outcome, markdown: verdict.text, masked: verdict.masked };
}

/**
 * Writes the terminal status the turn produced (compare-and-set on `running`). The outcome is
 * the agent-turn step's memoized output, read back from the engine: one that is not a turn
 * outcome fails the run as crashed and nothing of it is written. Returns what it recorded.
 */
export async function finishRun(
  db: Database,
  ref: RunRef,
  stepOutput: unknown,
): Promise<GuardedTurnOutcome["kind"] | "unreadable"> {
  const outcome = readTurnOutcome(stepOutput, ref.runId);
  if (!outcome) {
    await failRun(db, ref, { code: "agent_crashed", reason: UNREADABLE_TURN_REASON });
    return "unreadable";
  }
  // The pause already moved the run to awaiting_approval; run-skill-approval takes it on (or,
  // decided since, already has).
  if (outcome.kind === "awaiting_approval" || outcome.kind === "continued_elsewhere")
    return outcome.kind;
  let ended = false;
  if (outcome.kind === "complete")
    ended = await completeRun(db, ref, {
      markdown: outcome.markdown,
      masked: outcome.masked,
      usage: outcome.usage,
    });
  else if (outcome.kind === "failed")
    ended = await failRun(db, ref, {
      code: outcome.code,
      reason: outcome.reason,
      usage: outcome.usage,
      detail: outcome.detail,
    });
  // A run that ended under the turn (run_timeout, stale_running, cancelled) still keeps its usage.
  if (!ended) await recordUsage(db, ref, outcome.usage);
  return outcome.kind;
}

/**
 * `finishRun`, then the waiting deliveries of the run, now ended, queued (none while it has not
 * ended): the run's end and its outbox in one step, so deliveries cost a run no step of their
 * own. The caller sends their events; a crash before it leaves pending rows the sweep re-sends.
 */
export async function finishRunAndQueueDeliveries(
  db: Database,
  ref: RunRef,
  stepOutput: unknown,
): Promise<{ recorded: Awaited<ReturnType<typeof finishRun>>; deliveries: QueuedDelivery[] }> {
  const recorded = await finishRun(db, ref, stepOutput);
  return { recorded, deliveries: await queueEndedRunDeliveries(db, ref) };
}
