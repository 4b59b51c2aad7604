import "server-only";
import { TRPCError } from "@trpc/server";
import { AgentNotFoundError, TemplateNotFoundError } from "@/server/services/catalog/agent-config";
import {
  DispatchFailedError,
  IdempotencyKeyReusedError,
  InputsInvalidError,
  NoDefaultAgentError,
  RunNotCancellableError,
  RunNotFoundError,
  SkillNotFoundError,
} from "@/server/services/runs/run-errors";
import { ApiKeyNotFoundError, RoleTooHighError } from "@/server/services/access/api-keys";
import { ScheduleNotFoundError } from "@/server/services/schedules/schedules";
import { DeliveryNotFoundError, WebhookNotFoundError } from "@/server/services/webhooks/webhooks";
import {
  AlreadyMemberError,
  LastOwnerError,
  MemberAboveYouError,
  MemberActorForbiddenError,
  MemberNotFoundError,
  MemberRoleAboveYoursError,
} from "@/server/services/access/members";
import { InvitationNotFoundError } from "@/server/services/access/invitations";

/** Service errors as tRPC errors: unknown and foreign ids are both NOT_FOUND. */
export function toTRPCError(error: unknown): unknown {
  if (
    error instanceof SkillNotFoundError ||
    error instanceof AgentNotFoundError ||
    error instanceof RunNotFoundError ||
    error instanceof TemplateNotFoundError ||
    error instanceof ScheduleNotFoundError ||
    error instanceof ApiKeyNotFoundError ||
    error instanceof WebhookNotFoundError ||
    error instanceof DeliveryNotFoundError
  ) {
    return new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
  }
  if (error instanceof MemberNotFoundError || error instanceof InvitationNotFoundError)
    return new TRPCError({ code: "NOT_FOUND", message: error.message, cause: error });
  if (
    error instanceof MemberRoleAboveYoursError ||
    error instanceof MemberAboveYouError ||
    error instanceof MemberActorForbiddenError
  )
    return new TRPCError({ code: "FORBIDDEN", message: error.message, cause: error });
  if (error instanceof LastOwnerError)
    return new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
  if (error instanceof AlreadyMemberError)
    return new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
  if (error instanceof RoleTooHighError)
    return new TRPCError({ code: "FORBIDDEN", message: error.message, cause: error });
  if (error instanceof InputsInvalidError)
    return new TRPCError({ code: "BAD_REQUEST", message: error.message, cause: error });
  if (error instanceof NoDefaultAgentError)
    return new TRPCError({ code: "PRECONDITION_FAILED", message: error.message, cause: error });
  if (error instanceof IdempotencyKeyReusedError)
    return new TRPCError({ code: "UNPROCESSABLE_CONTENT", message: error.message, cause: error });
  if (error instanceof RunNotCancellableError)
    return new TRPCError({ code: "CONFLICT", message: error.message, cause: error });
  // The run exists and says why it failed; an expected failure, not a hidden internal error (REST: 503 too).
  if (error instanceof DispatchFailedError)
    return new TRPCError({ code: "SERVICE_UNAVAILABLE", message: error.message, cause: error });
  return error;
}

export async function mapServiceErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toTRPCError(error);
  }
}
