import type { inferRouterOutputs } from "@trpc/server";
import type { UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import type { agentInput, AgentInput } from "@/lib/schemas/agents";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>["agents"];
/** A saved agent, as the agent page loads it. */
export type SavedAgent = Outputs["get"];
/** What the editor offers, from agents.formOptions. */
export type AgentFormOptions = Outputs["formOptions"];

export type AgentFormFields = z.input<typeof agentInput>;
export type AgentForm = UseFormReturn<AgentFormFields, unknown, AgentInput>;

/** The form's values for a saved agent, or a blank one on the tenant's first template. */
export function initialValues(agent: SavedAgent | null, options: AgentFormOptions): AgentInput {
  if (!agent)
    return {
      name: "",
      description: "",
      templateId: options.templates[0]?.id ?? "",
      modelOverride: null,
      skillIds: [],
      mcpServerIds: [],
      knowledgeBaseIds: [],
      pairedUserId: null,
      approvalPolicy: null,
    };
  return {
    name: agent.name,
    description: agent.description,
    templateId: agent.template.id,
    modelOverride: agent.modelOverride,
    skillIds: agent.skillIds,
    mcpServerIds: agent.mcpServerIds,
    knowledgeBaseIds: agent.knowledgeBaseIds,
    pairedUserId: agent.pairedUserId,
    approvalPolicy: agent.approvalPolicy,
  };
}

const FIELDS = [
  "name",
  "description",
  "templateId",
  "modelOverride",
  "skillIds",
  "mcpServerIds",
  "knowledgeBaseIds",
  "pairedUserId",
  "approvalPolicy",
] as const satisfies readonly (keyof AgentInput)[];

/** The form field a server error key belongs to; any other key is shown above the buttons. */
export const fieldWithError = (key: string) => FIELDS.find((field) => field === key) ?? null;
