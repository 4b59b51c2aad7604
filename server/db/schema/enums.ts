import { sql } from "drizzle-orm";
import { check, pgEnum } from "drizzle-orm/pg-core";

import {
  RUN_STATUSES,
  FAILURE_CODES,
  INVOCATION_SOURCES,
  MEMBER_ROLES,
  OVERLAP_POLICIES,
  SCHEDULE_SLOT_OUTCOMES,
  WEBHOOK_DELIVERY_VERDICTS,
  AUDIT_ACTOR_TYPES,
  SKILL_ORIGINS,
  FEEDBACK_RATINGS,
  APPROVAL_KINDS,
  APPROVAL_STATES,
} from "@/lib/enums";

export * from "@/lib/enums";

/** The database's enums, built from the shared constants in `lib/enums.ts`. */
export const runStatusEnum = pgEnum("run_status", RUN_STATUSES);
export const failureCodeEnum = pgEnum("failure_code", FAILURE_CODES);
export const invocationSourceEnum = pgEnum("invocation_source", INVOCATION_SOURCES);
export const overlapPolicyEnum = pgEnum("overlap_policy", OVERLAP_POLICIES);
export const scheduleSlotOutcomeEnum = pgEnum("schedule_slot_outcome", SCHEDULE_SLOT_OUTCOMES);
export const webhookDeliveryVerdictEnum = pgEnum(
  "webhook_delivery_verdict",
  WEBHOOK_DELIVERY_VERDICTS,
);
export const auditActorTypeEnum = pgEnum("audit_actor_type", AUDIT_ACTOR_TYPES);
export const skillOriginEnum = pgEnum("skill_origin", SKILL_ORIGINS);
export const feedbackRatingEnum = pgEnum("feedback_rating", FEEDBACK_RATINGS);
export const approvalKindEnum = pgEnum("approval_kind", APPROVAL_KINDS);
export const approvalStateEnum = pgEnum("approval_state", APPROVAL_STATES);

/** Restricts a text `role` column to the member roles (the library owns the column type). */
export const memberRoleCheck = (constraintName: string) =>
  check(constraintName, sql.raw(`role in (${MEMBER_ROLES.map((role) => `'${role}'`).join(", ")})`));
