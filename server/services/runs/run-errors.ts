import "server-only";
import { fieldErrorLine } from "@/lib/skill-inputs";
import type { RunStatus } from "@/server/db/schema/enums";
import { ServiceError } from "@/server/services/errors";

/** Errors the run services raise; each transport answers them by kind (see ../errors.ts). */

export class SkillNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "skill_not_found";
  constructor(skill: string) {
    super(`Skill "${skill}" was not found or is disabled in this tenant.`);
  }
}

/** The run's agent may not run the skill: it is not among the agent's skills. */
export class SkillNotEnabledError extends ServiceError {
  readonly kind = "precondition";
  readonly code = "skill_not_enabled";
  readonly fieldErrors: Record<string, string[]>;
  constructor(agentName: string, skillName: string) {
    super(
      `Agent "${agentName}" may not run the skill "${skillName}": it is not among the agent's skills. Give the agent the skill, or pick an agent that has it.`,
    );
    this.fieldErrors = { agentId: [`may not run "${skillName}"`] };
  }
}

export class InputsInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "inputs_invalid";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super(
      `The inputs do not match the skill's schema: ${Object.entries(fieldErrors)
        .map(([field, messages]) =>
          messages.map((message) => fieldErrorLine(field || "inputs", message)).join(", "),
        )
        .join("; ")}.`,
    );
  }
}

export class NoDefaultAgentError extends ServiceError {
  readonly kind = "precondition";
  readonly code = "no_agent";
  constructor() {
    super(
      "No agent was given and this tenant has no default agent. Pick an agent, or mark one as the default.",
    );
  }
}

export class DispatchFailedError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "dispatch_failed";
  constructor(
    readonly runId: string,
    cause: string,
  ) {
    super(
      `Run ${runId} was created but could not be dispatched, so it was marked failed: ${cause}`,
    );
  }
}

export class RunNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "run_not_found";
  constructor(runId: string) {
    super(`Run ${runId} was not found.`);
  }
}

export class RunNotCancellableError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "run_not_cancellable";
  constructor(readonly status: RunStatus) {
    super(`The run is already ${status}; only queued or running runs can be cancelled.`);
  }
}

export class IdempotencyKeyReusedError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "idempotency_key_reused";
  constructor(readonly runId: string) {
    super(
      `This idempotency key already started run ${runId} with a different skill, agent, inputs or callbackUrl; send a new key for a new request.`,
    );
  }
}

/** A queued or running run cannot be deleted: its turn may still write to it. */
export class RunNotDeletableError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "run_not_deletable";
  constructor(readonly status: RunStatus) {
    super(`The run is still ${status}; cancel it first, then delete it.`);
  }
}
