import type { FailureCode } from "@/lib/enums";

/** One line per failure code: what an operator does next. */
export const FAILURE_HINTS: Record<FailureCode, string> = {
  no_agent: "Mark one of the tenant's agents as the default, or pick an agent, then re-run.",
  agent_not_found: "The agent was removed. Re-run with another agent.",
  skill_not_found: "The skill was removed or disabled. Re-enable it or pick another skill.",
  inputs_invalid: "The inputs no longer match the skill's schema. Re-run with changes and fix the fields named.",
  model_not_configured:
    "Set the provider's credentials named in the reason (e.g. OPENAI_API_KEY) or point SKILLRUN_DEFAULT_MODEL at a configured model, restart Skillrun, then re-run.",
  model_error: "The model provider refused or failed. Check the provider's status and API key, then re-run.",
  agent_crashed: "Skillrun hit an unexpected error. Re-run; if it repeats, check the server log for this run id.",
  empty_deliverable: "The model answered with nothing. Re-run, or make the inputs more specific.",
  guardrail_blocked: "The agent's guardrail stopped this run. Edit the inputs, or review the guardrail's rules.",
  max_steps: "The agent used every step it is allowed. Raise the template's step limit or narrow the inputs.",
  timeout: "The turn ran past the template's time limit. Raise the limit or narrow the inputs.",
  interrupted: "The server stopped mid-run. Re-run it.",
  stale_running: "The run stopped reporting progress and was closed by the reconciler. Re-run it.",
  dispatch_failed: "The run could not be handed to the engine. Check that the Inngest engine is up, then re-run.",
  dispatch_lost: "The engine never picked the run up. Check the engine's health, then re-run.",
};
