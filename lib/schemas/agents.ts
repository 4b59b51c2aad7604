import { z } from "zod";
import { approvalPolicyInput } from "./templates";

const agentId = z.object({ agentId: z.uuid() });

/** `provider:model`, as the model registry names models (and SKILLRUN_DEFAULT_MODEL is checked). */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]*:\S+$/;

/** Links an agent may hold; a tenant's whole catalog fits well within them. */
const MAX_LINKS = 500;
const linkIds = (what: string) =>
  z.array(z.uuid(`must be a list of ${what}`)).max(MAX_LINKS, `can hold at most ${MAX_LINKS}`);

/** What an agent is: the body of create, of update next to the agent's id, and of a preview. */
export const agentInput = z.object({
  name: z.string().trim().min(1, "is required").max(120, "must be at most 120 characters"),
  description: z.string().trim().max(500, "must be at most 500 characters"),
  templateId: z.uuid("is required"),
  /** null: the template's model (else the deployment default). */
  modelOverride: z
    .string()
    .trim()
    .max(200, "must be at most 200 characters")
    .regex(MODEL_NAME_PATTERN, "must be provider:model, e.g. openai:gpt-4.1-mini")
    .nullable(),
  skillIds: linkIds("skills"),
  mcpServerIds: linkIds("MCP servers"),
  knowledgeBaseIds: linkIds("knowledge bases"),
  /** The member the agent acts for when nobody invokes it (a schedule, a webhook). */
  pairedUserId: z.string().min(1).max(200).nullable(),
  /** The agent's own approval policy; null (the default): its template's. */
  approvalPolicy: approvalPolicyInput.nullable().default(null),
});
export type AgentInput = z.infer<typeof agentInput>;

export const getAgentInput = agentId;
export const agentEffectiveConfigInput = agentId;
export const createAgentInput = agentInput;
export const updateAgentInput = agentId.extend({ agent: agentInput });
export const duplicateAgentInput = agentId;
export const deleteAgentInput = agentId;
export const setDefaultAgentInput = agentId;
/** A draft of a new agent (no id) or of an edit: resolved, never saved. */
export const previewAgentConfigInput = z.object({
  agentId: z.uuid().nullable(),
  draft: agentInput,
});
