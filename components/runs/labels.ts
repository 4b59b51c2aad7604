import type { FailureCode, InvocationSource, RunStatus } from "@/lib/enums";

/** What an operator reads for an enum value, and the sentence behind it (a tooltip, a filter's option). */
export type Labelled = { label: string; description: string };

export const STATUS_LABELS: Record<RunStatus, Labelled> = {
  queued: {
    label: "Queued",
    description:
      "Waiting to start: each tenant runs a limited number of skills at once, and the rest wait in line, oldest first.",
  },
  running: {
    label: "Running",
    description: "The agent is working on it: calling the model and its tools.",
  },
  awaiting_approval: {
    label: "Awaiting approval",
    description:
      "Paused before an action its template gates (a tool call or the deliverable) until an operator approves or rejects it.",
  },
  complete: { label: "Complete", description: "Finished, with a deliverable." },
  failed: {
    label: "Failed",
    description: "Stopped without a deliverable; its failure code and reason say why.",
  },
  cancelled: {
    label: "Cancelled",
    description: "Stopped by a member or an API call before it finished; it keeps no deliverable.",
  },
};

export const FAILURE_LABELS: Record<FailureCode, Labelled> = {
  no_agent: {
    label: "No default agent",
    description: "No agent was picked, and the tenant has no default agent.",
  },
  agent_not_found: {
    label: "Agent removed",
    description: "The run's agent no longer exists.",
  },
  skill_not_found: {
    label: "Skill unavailable",
    description: "The skill was removed or disabled before the run started.",
  },
  skill_not_enabled: {
    label: "Skill not enabled for agent",
    description: "The run's agent may not run this skill: it is not among the agent's skills.",
  },
  inputs_invalid: {
    label: "Inputs invalid",
    description: "The inputs did not match the skill's inputs schema.",
  },
  model_not_configured: {
    label: "Model not configured",
    description: "The agent's model provider has no credentials on this server.",
  },
  model_error: {
    label: "Model error",
    description: "The model provider refused the request or failed to answer.",
  },
  agent_crashed: {
    label: "Unexpected error",
    description: "Skillrun hit an unexpected error while running the agent.",
  },
  empty_deliverable: {
    label: "Empty answer",
    description: "The model finished without writing a deliverable.",
  },
  guardrail_blocked: {
    label: "Blocked by guardrail",
    description: "The agent's guardrail stopped the run.",
  },
  max_steps: {
    label: "Step limit reached",
    description: "The agent used every step its template allows.",
  },
  timeout: {
    label: "Timed out",
    description: "The agent's turn ran past its template's time limit.",
  },
  interrupted: {
    label: "Interrupted",
    description: "The server stopped in the middle of the run.",
  },
  stale_running: {
    label: "Stopped reporting",
    description: "The run stopped reporting progress, and the reconciler closed it.",
  },
  dispatch_failed: {
    label: "Not sent to the engine",
    description: "The run could not be handed to the Inngest engine.",
  },
  dispatch_lost: {
    label: "Lost by the engine",
    description: "The engine took the run but never started it.",
  },
  start_timeout: {
    label: "Never started",
    description: "The run waited longer than a run may wait to start, and the engine dropped it.",
  },
  run_timeout: {
    label: "Ran too long",
    description: "The run went past the longest a run may take, and the engine stopped it.",
  },
  approval_timeout: {
    label: "Approval timed out",
    description:
      "Nobody approved or rejected the run's gated action within its template's timeout.",
  },
  deliverable_rejected: {
    label: "Deliverable rejected",
    description: "An operator rejected the draft deliverable; the reason says why.",
  },
};

/** Where a run came from. */
export const SOURCES: Record<InvocationSource, Labelled> = {
  manual: { label: "Manual", description: "Started by a member with Run now." },
  schedule: { label: "Schedule", description: "Started by a schedule at one of its times." },
  webhook: { label: "Webhook", description: "Started by a delivery to an inbound webhook." },
  api: { label: "API", description: "Started through the REST API with an API key." },
  rerun: { label: "Re-run", description: "A member re-ran an earlier run." },
};
