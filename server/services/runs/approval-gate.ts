import "server-only";
import { toolNeedsApproval } from "@/lib/approval-policy";
import { BUILT_IN_TOOLS } from "@/lib/enums";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import { costOf } from "@/server/agent/prices";
import type { TokenUsage } from "@/server/agent/usage";
import type { Database } from "@/server/db/client";
import type { RunRef } from "@/inngest/events";
import { pauseForApproval, type PauseRequest } from "./approvals";
import { recordUsage } from "./run-lifecycle";
import type { GuardedTurnOutcome } from "./run-turn";

/** The usage a paused turn stores: tokens so far, priced, as a finished turn's is. */
export const priced = (config: AgentRuntimeConfig, usage: TokenUsage): TokenUsage => ({
  ...usage,
  costUsd: costOf(config.model, usage),
});

/**
 * Stores the request and moves the run to awaiting_approval. A run that left `running` meanwhile
 * (cancelled, or failed by the reconciler) keeps the usage so far and stores no request.
 */
export async function pause(
  db: Database,
  ref: RunRef,
  config: AgentRuntimeConfig,
  request: PauseRequest,
): Promise<GuardedTurnOutcome> {
  const timeoutSeconds = config.approval?.timeoutSeconds ?? 0;
  const approvalId = await pauseForApproval(db, ref, request, timeoutSeconds);
  if (approvalId) return { kind: "awaiting_approval", approvalId, timeoutSeconds };
  await recordUsage(db, ref, request.usage);
  return { kind: "cancelled", usage: request.usage };
}

/** Whether a tool call waits for approval: MCP tools by `server:tool` or name, built-ins by name. */
export function approvalGate(config: AgentRuntimeConfig, serverOf: Record<string, string>) {
  const patterns = config.approval?.tools ?? [];
  if (patterns.length === 0) return undefined;
  const builtIn = (name: string) =>
    (BUILT_IN_TOOLS as readonly string[]).includes(name) &&
    (config.tools as string[]).includes(name);
  return (name: string) =>
    toolNeedsApproval(patterns, name, builtIn(name) ? null : (serverOf[name] ?? null));
}
