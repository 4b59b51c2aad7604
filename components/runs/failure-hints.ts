import type { FailureCode } from "@/lib/enums";
import {
  modelFailureKind,
  type ModelFailureDetail,
  type ModelFailureKind,
} from "@/lib/model-failure";

/** One line per failure code: what an operator does next. */
export const FAILURE_HINTS: Record<FailureCode, string> = {
  no_agent: "Mark one of the tenant's agents as the default, or pick an agent, then re-run.",
  agent_not_found: "The agent was removed. Re-run with another agent.",
  skill_not_found: "The skill was removed or disabled. Re-enable it or pick another skill.",
  skill_not_enabled:
    "Give the agent this skill on its page (an admin can), or run the skill with an agent that has it.",
  inputs_invalid:
    "The inputs no longer match the skill's schema. Re-run with changes and fix the fields named.",
  model_not_configured:
    "Set the provider's credentials named in the reason (e.g. OPENAI_API_KEY) or point SKILLRUN_DEFAULT_MODEL at a configured model, restart Skillrun, then re-run.",
  model_error:
    "The model provider refused or failed. Check the reason above and the provider's status, then re-run.",
  agent_crashed:
    "Skillrun hit an unexpected error. Re-run; if it repeats, check the server log for this run id.",
  empty_deliverable: "The model answered with nothing. Re-run, or make the inputs more specific.",
  guardrail_blocked:
    "The agent's guardrail stopped this run. Edit the inputs, or review the guardrail's rules.",
  max_steps:
    "The agent used every step it is allowed. Raise the template's step limit or narrow the inputs.",
  timeout: "The turn ran past the template's time limit. Raise the limit or narrow the inputs.",
  interrupted: "The server stopped mid-run. Re-run it.",
  stale_running: "The run stopped reporting progress and was closed by the reconciler. Re-run it.",
  dispatch_failed:
    "The run could not be handed to the engine. Check that the Inngest engine is up, then re-run.",
  dispatch_lost: "The engine never picked the run up. Check the engine's health, then re-run.",
  start_timeout:
    "The run waited too long for a free slot behind the tenant's other runs. Re-run when fewer runs are queued, or raise SKILLRUN_RUN_CONCURRENCY or RUN_START_TIMEOUT_SECONDS.",
  run_timeout:
    "The run went past the longest a run may take (RUN_FINISH_TIMEOUT_SECONDS) and was stopped. Narrow the inputs or lower the template's time limit, then re-run.",
  approval_timeout:
    "Nobody decided on the run's gated action in time. Re-run it and decide on the Approvals page, or raise the template's approval timeout.",
  deliverable_rejected:
    "An operator rejected the draft for the reason above. Re-run with changed inputs, or adjust the skill or template.",
};

const settingsOr = (settings: string[], fallback: string) =>
  settings.length ? settings.join(" and ") : fallback;
const timeOfDay = new Intl.DateTimeFormat("en", { timeStyle: "medium" });

/** What to do about a model error, by what the provider answered. */
export const MODEL_FAILURE_HINTS: Record<
  ModelFailureKind,
  (detail: ModelFailureDetail, finishedAt: Date | null) => string
> = {
  credentials: (detail) =>
    `The provider rejected the credentials. Fix ${settingsOr(detail.credentialSettings, "the provider's API key setting")}, restart Skillrun, then re-run.`,
  forbidden: (detail) =>
    `The credentials in ${settingsOr(detail.credentialSettings, "the provider's settings")} are not allowed to use ${detail.model}. Grant access in the provider's console or give the agent another model, then re-run.`,
  rate_limited: (detail, finishedAt) =>
    detail.retryAfterSeconds !== null && finishedAt
      ? `The provider is rate limiting and asked for ${detail.retryAfterSeconds} s: re-run after ${timeOfDay.format(new Date(finishedAt.getTime() + detail.retryAfterSeconds * 1000))}. If it keeps happening, raise the provider quota or lower SKILLRUN_RUN_CONCURRENCY.`
      : "The provider is rate limiting: re-run in a minute. If it keeps happening, raise the provider quota or lower SKILLRUN_RUN_CONCURRENCY.",
  provider_failed: (detail) =>
    `The provider itself failed (HTTP ${detail.httpStatus ?? "5xx"}${detail.attempts > 1 ? ` on ${detail.attempts} attempts` : ""}); nothing in Skillrun needs changing. Check the provider's status page, then re-run.`,
  unreachable: () =>
    "Skillrun got no answer from the provider. Check that its endpoint (e.g. OPENAI_COMPATIBLE_BASE_URL) is reachable from the server, then re-run.",
  rejected: (detail) =>
    `The provider refused the request (HTTP ${detail.httpStatus}). Check that ${detail.model} is a model the provider offers and the template's settings suit it, then re-run.`,
};

/** The "What to do" line of a failed run: the code's hint, specific to the provider's answer for model errors. */
export function failureHint(run: {
  failureCode: FailureCode;
  failureDetail: ModelFailureDetail | null;
  finishedAt: Date | null;
}): string {
  if (run.failureCode === "model_error" && run.failureDetail) {
    return MODEL_FAILURE_HINTS[modelFailureKind(run.failureDetail.httpStatus)](
      run.failureDetail,
      run.finishedAt,
    );
  }
  return FAILURE_HINTS[run.failureCode];
}
