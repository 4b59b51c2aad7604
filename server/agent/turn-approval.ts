import type { ModelMessage, ToolSet } from "ai";
import type { TokenUsage } from "./usage";

/**
 * The agent turn's side of the review gate: gated tools are marked so the AI SDK stops before
 * executing their calls, and a paused turn continues from its stored messages with the
 * decision as the tools' approval responses.
 */

/** A tool call the model asked for and the turn held back for a person's approval. */
export type HeldToolCall = {
  approvalId: string;
  toolCallId: string;
  toolName: string;
  input: unknown;
};

/**
 * A turn stopped before gated tool calls: everything needed to continue it later without
 * calling the model again for what already happened.
 */
export type PausedTurn = {
  toolCalls: HeldToolCall[];
  /** The messages so far, the model's request for the held calls last. */
  conversation: ModelMessage[];
  usage: TokenUsage;
  /** Model calls made so far, counted against the template's step limit. */
  stepsUsed: number;
};

/** How a paused turn continues: its state at the pause and the decision on the held calls. */
export type TurnResumption = Omit<PausedTurn, "toolCalls"> & {
  approvalIds: string[];
  approved: boolean;
  /** What the model is told when the calls were refused. */
  reason?: string;
};

/** The tools with the gated ones marked: the SDK stops before executing such a call. */
export function gated(
  tools: ToolSet,
  needsApproval: ((toolName: string) => boolean) | undefined,
): ToolSet {
  if (!needsApproval) return tools;
  return Object.fromEntries(
    Object.entries(tools).map(([name, offered]) => [
      name,
      needsApproval(name) ? { ...offered, needsApproval: true } : offered,
    ]),
  );
}

/** The first request, or the paused conversation answered with the decision. */
export function openingMessages(input: {
  skill: { name: string };
  inputs: Record<string, unknown>;
  resume?: TurnResumption;
}): ModelMessage[] {
  const { resume } = input;
  if (!resume)
    return [
      {
        role: "user",
        content: `Run the skill "${input.skill.name}" with these inputs (JSON):\n\n${JSON.stringify(input.inputs, null, 2)}\n\nAnswer with the deliverable itself, in markdown.`,
      },
    ];
  return [
    ...resume.conversation,
    {
      role: "tool",
      content: resume.approvalIds.map((approvalId) => ({
        type: "tool-approval-response" as const,
        approvalId,
        approved: resume.approved,
        ...(resume.reason === undefined ? {} : { reason: resume.reason }),
      })),
    },
  ];
}
