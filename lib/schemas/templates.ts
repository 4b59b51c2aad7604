import { z } from "zod";

const templateId = z.object({ templateId: z.uuid() });

export const MAX_STEPS_LIMIT = 50;
/** Shortest turn timeout; the longest depends on the deployment (templates.limits). */
export const MIN_TIMEOUT_SECONDS = 10;
export const MAX_SYSTEM_PROMPT_CHARS = 50_000;

/** A tool name as models and MCP servers spell them. */
const toolName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be a tool name: letters, digits, _ . -");

/** How long a run may wait for an approval: ten seconds (tests, demos) up to seven days. */
export const MIN_APPROVAL_TIMEOUT_SECONDS = 10;
export const MAX_APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 60 * 60;
export const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

/**
 * A tool that needs a person's approval: a tool name (built-in or MCP, from any server), or
 * `server:tool` for one MCP server's tools, where `*` in the tool part matches any characters.
 */
export const approvalToolPattern = z
  .string()
  .trim()
  .regex(
    /^(?:[^:\s][^:]{0,119}:)?[A-Za-z0-9_.*-]{1,64}$/,
    "must be a tool name or server:tool (letters, digits, _ . - and * in the tool part)",
  );

/** At most this many tool patterns per policy. */
export const MAX_APPROVAL_TOOLS = 100;
const approvalTools = z
  .array(approvalToolPattern)
  .max(MAX_APPROVAL_TOOLS, `can hold at most ${MAX_APPROVAL_TOOLS} tools`);
const approvalTimeoutSeconds = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(MIN_APPROVAL_TIMEOUT_SECONDS, `must be at least ${MIN_APPROVAL_TIMEOUT_SECONDS}`)
  .max(MAX_APPROVAL_TIMEOUT_SECONDS, `must be at most ${MAX_APPROVAL_TIMEOUT_SECONDS} (7 days)`);

/** An agent's own approval policy (a template's, as one object): what waits, and how long. */
export const approvalPolicyInput = z.object({
  tools: approvalTools,
  deliverable: z.boolean(),
  timeoutSeconds: approvalTimeoutSeconds,
});

/** What a template is: the body of create, and of update next to the template's id. */
export const templateInput = z.object({
  name: z.string().trim().min(1, "is required").max(120),
  description: z.string().trim().max(500, "must be at most 500 characters"),
  systemPrompt: z
    .string()
    .trim()
    .min(1, "is required")
    .max(MAX_SYSTEM_PROMPT_CHARS, `must be at most ${MAX_SYSTEM_PROMPT_CHARS} characters`),
  /** `provider:model`; null is the deployment's default model, resolved at run time. */
  defaultModel: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9-]*:.+$/, "must be provider:model, like openai:gpt-4.1-mini")
    .max(200)
    .nullable(),
  /** Built-in tools (lib/enums BUILT_IN_TOOLS) or MCP tools, by name. */
  blockedTools: z.array(toolName).max(100),
  /** null: the tenant's default guardrail at run time. */
  guardrailId: z.uuid().nullable(),
  maxSteps: z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_STEPS_LIMIT, `must be at most ${MAX_STEPS_LIMIT}`),
  timeoutSeconds: z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(MIN_TIMEOUT_SECONDS, `must be at least ${MIN_TIMEOUT_SECONDS}`),
  /** Tools whose every call waits for an operator's approval. */
  approvalTools: approvalTools.default([]),
  /** The final deliverable waits for an operator's approval before the run completes. */
  approveDeliverable: z.boolean().default(false),
  approvalTimeoutSeconds: approvalTimeoutSeconds.default(DEFAULT_APPROVAL_TIMEOUT_SECONDS),
});
export type TemplateInput = z.infer<typeof templateInput>;

export const getTemplateInput = templateId;
export const createTemplateInput = templateInput;
export const updateTemplateInput = templateId.extend({ template: templateInput });
export const duplicateTemplateInput = templateId;
export const deleteTemplateInput = templateId;
