import type { TemplateInput } from "@/lib/schemas/templates";

/** A template as its audit entries show it: each field by its label, ids by their names. */

export const LABELS = {
  name: "Name",
  description: "Description",
  systemPrompt: "System prompt",
  defaultModel: "Default model",
  blockedTools: "Blocked tools",
  guardrail: "Guardrail",
  maxSteps: "Maximum steps",
  timeoutSeconds: "Timeout (seconds)",
  approvalTools: "Tools needing approval",
  approveDeliverable: "Deliverable needs approval",
  approvalTimeoutSeconds: "Approval timeout (seconds)",
} as const;

export type Stored = Omit<TemplateInput, "guardrailId"> & { guardrailName: string | null };

export const auditView = (template: Stored) => ({
  name: template.name,
  description: template.description,
  systemPrompt: template.systemPrompt,
  defaultModel: template.defaultModel ?? "deployment default",
  blockedTools: template.blockedTools,
  guardrail: template.guardrailName ?? "tenant default",
  maxSteps: template.maxSteps,
  timeoutSeconds: template.timeoutSeconds,
  approvalTools: template.approvalTools,
  approveDeliverable: template.approveDeliverable,
  approvalTimeoutSeconds: template.approvalTimeoutSeconds,
});
