import "server-only";
import { stepCountIs, streamText, tool, type LanguageModelUsage, type ToolSet } from "ai";
import { z } from "zod";
import type { FailureCode } from "@/lib/enums";
import { KNOWLEDGE_SEARCH_LIMIT } from "@/lib/knowledge-bases";
import type { ModelFailureDetail } from "@/lib/model-failure";
import type { AgentRuntimeConfig } from "./config";
import { describeModelError, preview } from "./model-error";
import { withModelRetries, type RetryableModel } from "./model-retry";
import { followStream } from "./turn-stream";
import { reportingModelCalls, SILENT_REPORTER, toolCallId, type CallReporter } from "./turn-calls";
import { ZERO_USAGE, type TokenUsage } from "./usage";
import { gated, openingMessages, type PausedTurn, type TurnResumption } from "./turn-approval";

export type { HeldToolCall, PausedTurn, TurnResumption } from "./turn-approval";

export const MAX_DELIVERABLE_BYTES = 1024 * 1024;

/** What the turn records on the run's timeline; a call's event names it as `onCall` did. */
export type TurnEvent =
  | {
      type: "model_call";
      callId?: string;
      payload: {
        model: string;
        inputTokens: number;
        outputTokens: number;
        cacheReadTokens: number;
        cacheWriteTokens: number;
        /** How long the provider took to answer (the tools it asked for are their own events). */
        durationMs: number;
        finishReason: string;
      };
    }
  | {
      type: "tool_call";
      callId: string;
      payload: {
        name: string;
        arguments: string;
        resultChars: number;
        resultPreview?: string;
        durationMs: number;
        error?: string;
      };
    }
  | {
      type: "model_retry";
      payload: {
        model: string;
        attempt: number;
        maxAttempts: number;
        httpStatus: number | null;
        delayMs: number;
        message: string;
      };
    };

/** The failures an agent turn can end with; the rest belong to dispatch, config and the reconciler. */
export const TURN_FAILURE_CODES = [
  "interrupted",
  "model_not_configured",
  "guardrail_blocked",
  "model_error",
  "agent_crashed",
  "empty_deliverable",
  "max_steps",
  "timeout",
  "approval_timeout",
  "deliverable_rejected",
] as const satisfies readonly FailureCode[];
export type TurnFailureCode = (typeof TURN_FAILURE_CODES)[number];

export type TurnOutcome =
  | { kind: "complete"; markdown: string; usage: TokenUsage }
  | {
      kind: "failed";
      code: TurnFailureCode;
      reason: string;
      usage: TokenUsage;
      detail?: ModelFailureDetail;
    }
  | { kind: "cancelled"; usage: TokenUsage }
  | ({ kind: "paused" } & PausedTurn);

/** A knowledge-base document that matched a search, with a snippet around the match. */
export type KnowledgeBaseHit = { title: string; snippet: string; rank: number };

export type TurnInput = {
  model: RetryableModel;
  config: AgentRuntimeConfig;
  skill: {
    name: string;
    instructions: string;
    referenceFiles: { path: string; content: string }[];
  };
  inputs: Record<string, unknown>;
  /** Aborted when the run is cancelled; the turn's own timeout is added here. */
  cancelSignal: AbortSignal;
  /** Tools from the agent's MCP servers, already connected. */
  mcpTools?: ToolSet;
  /** Full-text search over the config's knowledge bases, within the run's tenant only. */
  searchKnowledgeBase: (query: string, limit: number) => Promise<KnowledgeBaseHit[]>;
  onEvent: (event: TurnEvent) => Promise<void>;
  /** Each model and tool call as it starts and settles: what a live view shows in progress. */
  onCall?: CallReporter;
  /**
   * The answer so far, as the model streams it: the text of the current step (a new step's
   * text starts over; the deliverable is the last step's). Called on every piece, so it must
   * only note the text and return.
   */
  onText?: (textSoFar: string) => void;
  /** Whether a call of this tool waits for a person's approval (none when absent). */
  needsApproval?: (toolName: string) => boolean;
  /** Continue a paused turn instead of starting one. */
  resume?: TurnResumption;
};

function addUsage(total: TokenUsage, usage: LanguageModelUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + (usage.inputTokens ?? 0),
    outputTokens: total.outputTokens + (usage.outputTokens ?? 0),
    cacheReadTokens: total.cacheReadTokens + (usage.inputTokenDetails?.cacheReadTokens ?? 0),
    cacheWriteTokens: total.cacheWriteTokens + (usage.inputTokenDetails?.cacheWriteTokens ?? 0),
    reasoningTokens: total.reasoningTokens + (usage.outputTokenDetails?.reasoningTokens ?? 0),
  };
}

/** The built-in tools the config offers; each reads only this tenant's data. */
function builtInTools(input: TurnInput): ToolSet {
  const { config, skill } = input;
  const all: ToolSet = {
    read_skill_reference: tool({
      description: `Read one of this skill's reference files. Available: ${skill.referenceFiles.map((file) => file.path).join(", ") || "none"}.`,
      inputSchema: z.object({
        path: z.string().describe("The file's path, e.g. references/guide.md"),
      }),
      execute: async ({ path }) => {
        const file = skill.referenceFiles.find(
          (candidate) => candidate.path === path || candidate.path === `references/${path}`,
        );
        if (!file)
          throw new Error(
            `No reference file "${path}". Available: ${skill.referenceFiles.map((entry) => entry.path).join(", ") || "none"}.`,
          );
        return file.content;
      },
    }),
    search_knowledge_base: tool({
      description:
        "Full-text search over the knowledge bases this agent may read. Returns the best matching documents with a snippet.",
      inputSchema: z.object({
        query: z.string().min(1),
        limit: z.number().int().min(1).max(10).default(KNOWLEDGE_SEARCH_LIMIT),
      }),
      execute: ({ query, limit }) => input.searchKnowledgeBase(query, limit),
    }),
    current_time: tool({
      description: "The current date and time (ISO 8601, UTC).",
      inputSchema: z.object({}),
      execute: async () => new Date().toISOString(),
    }),
  };
  return Object.fromEntries(
    Object.entries(all).filter(([name]) => (config.tools as string[]).includes(name)),
  );
}

function systemPrompt(input: TurnInput): string {
  const { config, skill } = input;
  const actingFor = config.currentUser
    ? `\n\nYou act for ${config.currentUser.name} <${config.currentUser.email}>.`
    : "";
  return `${config.systemPrompt}${actingFor}\n\n# Skill: ${skill.name}\n\n${skill.instructions}`;
}

/**
 * One agent turn: the model with the skill's instructions and the offered tools, up to the
 * template's step limit, stopped by the timeout or a cancellation. Every model and tool call
 * is reported as it happens. Returns the outcome; it never throws for model or tool errors.
 */
export async function runAgentTurn(input: TurnInput): Promise<TurnOutcome> {
  const { config } = input;
  const timeout = AbortSignal.timeout(config.limits.timeoutSeconds * 1000);
  const signal = AbortSignal.any([input.cancelSignal, timeout]);
  const calls = reportingModelCalls(input.model, input.onCall ?? SILENT_REPORTER);
  const model = withModelRetries(calls.model, {
    signal,
    deadline: Date.now() + config.limits.timeoutSeconds * 1000,
    onRetry: async ({ attempt, maxAttempts, delayMs, failure }) => {
      await input.onEvent({
        type: "model_retry",
        payload: {
          model: config.model,
          attempt,
          maxAttempts,
          httpStatus: failure.httpStatus,
          delayMs,
          message: preview(failure.message, 200),
        },
      });
    },
  });
  let usage = input.resume?.usage ?? ZERO_USAGE;
  const stepsBefore = input.resume?.stepsUsed ?? 0;
  const messages = openingMessages(input);
  const outOfSteps = (): TurnOutcome => ({
    kind: "failed",
    code: "max_steps",
    reason: `The agent used all ${config.limits.maxSteps} steps without a final answer.`,
    usage,
  });
  // The steps before a pause count: a turn never pauses on its last step (below), so this only
  // meets a request stored before that held.
  if (stepsBefore >= config.limits.maxSteps) return outOfSteps();

  try {
    const result = streamText({
      model: model.model,
      system: systemPrompt(input),
      messages,
      tools: gated({ ...input.mcpTools, ...builtInTools(input) }, input.needsApproval),
      // A resumed turn has the steps its paused part left.
      stopWhen: stepCountIs(config.limits.maxSteps - stepsBefore),
      abortSignal: signal,
      // The SDK's own retries would be invisible; withModelRetries puts each one on the timeline.
      maxRetries: 0,
      // Errors are read from the stream (followStream), not logged by the SDK.
      onError: () => {},
      experimental_onToolCallStart: async ({ toolCall }) => {
        await input.onCall?.started({
          id: toolCallId(toolCall.toolCallId),
          kind: "tool_call",
          name: toolCall.toolName,
        });
      },
      experimental_onToolCallFinish: async (event) => {
        await input.onEvent({
          type: "tool_call",
          callId: toolCallId(event.toolCall.toolCallId),
          payload: {
            name: event.toolCall.toolName,
            arguments: preview(event.toolCall.input),
            resultChars: event.success ? preview(event.output, 1_000_000).length : 0,
            ...(event.success ? { resultPreview: preview(event.output) } : {}),
            durationMs: event.durationMs,
            ...(event.success
              ? {}
              : {
                  error: preview(event.error instanceof Error ? event.error.message : event.error),
                }),
          },
        });
      },
      // After the step's tools ran: the event follows theirs, and names its call so the
      // timeline can still place it by its start, before the tools it asked for. Writing it
      // ends the call's in-progress mark, which held it on the timeline until now.
      onStepFinish: async (step) => {
        usage = addUsage(usage, step.usage);
        const answered = calls.lastAnswered();
        await input.onEvent({
          type: "model_call",
          callId: answered?.id,
          payload: {
            model: config.model,
            inputTokens: step.usage.inputTokens ?? 0,
            outputTokens: step.usage.outputTokens ?? 0,
            cacheReadTokens: step.usage.inputTokenDetails?.cacheReadTokens ?? 0,
            cacheWriteTokens: step.usage.inputTokenDetails?.cacheWriteTokens ?? 0,
            durationMs: answered?.durationMs ?? 0,
            finishReason: step.finishReason,
          },
        });
      },
    });
    await followStream(result.fullStream, input.onText ?? (() => {}));

    const [text, finishReason, steps, response] = await Promise.all([
      result.text,
      result.finishReason,
      result.steps,
      result.response,
    ]);
    const held = (steps.at(-1)?.content ?? []).flatMap((part) =>
      part.type === "tool-approval-request"
        ? [
            {
              approvalId: part.approvalId,
              toolCallId: part.toolCall.toolCallId,
              toolName: part.toolCall.toolName,
              input: part.toolCall.input,
            },
          ]
        : [],
    );
    const stepsUsed = stepsBefore + steps.length;
    // Gated calls asked for in the last step: nothing could use their results, so no person is
    // asked to approve them; the turn ends as an ungated one does when out of steps.
    if (held.length && stepsUsed >= config.limits.maxSteps) return outOfSteps();
    if (held.length)
      return {
        kind: "paused",
        toolCalls: held,
        conversation: [...messages, ...response.messages],
        usage,
        stepsUsed,
      };
    const markdown = text.trim();
    if (finishReason === "tool-calls" && stepsUsed >= config.limits.maxSteps) return outOfSteps();
    if (!markdown)
      return {
        kind: "failed",
        code: "empty_deliverable",
        reason: "The agent finished without writing a deliverable.",
        usage,
      };
    if (Buffer.byteLength(markdown) > MAX_DELIVERABLE_BYTES) {
      return {
        kind: "failed",
        code: "agent_crashed",
        reason: `The deliverable is larger than 1 MB (${Buffer.byteLength(markdown)} bytes).`,
        usage,
      };
    }
    return { kind: "complete", markdown, usage };
  } catch (error) {
    if (input.cancelSignal.aborted) return { kind: "cancelled", usage };
    if (timeout.aborted)
      return {
        kind: "failed",
        code: "timeout",
        reason: `The turn ran longer than ${config.limits.timeoutSeconds} s.`,
        usage,
      };
    return {
      kind: "failed",
      code: "model_error",
      ...describeModelError(error, config.model, model.attemptsOfLastCall()),
      usage,
    };
  }
}
