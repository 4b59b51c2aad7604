/**
 * The single source of truth for every closed set of values the database stores. Plain
 * constants, so the browser can use them too; `server/db/schema/enums.ts` turns them into
 * Postgres enums (or check constraints where a library owns the column).
 */

/** `awaiting_approval`: the turn paused before a gated action, until an operator decides (or its timeout). */
export const RUN_STATUSES = [
  "queued",
  "running",
  "awaiting_approval",
  "complete",
  "failed",
  "cancelled",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const TERMINAL_RUN_STATUSES = [
  "complete",
  "failed",
  "cancelled",
] as const satisfies readonly RunStatus[];

/** The one definition of "finished": a terminal run never changes status again. */
export function isTerminal(status: RunStatus): boolean {
  return (TERMINAL_RUN_STATUSES as readonly RunStatus[]).includes(status);
}
/** Every run that has not finished can be cancelled; the server and the UI share this rule. */
export function isCancellable(status: RunStatus): boolean {
  return !isTerminal(status);
}
export const CANCELLABLE_RUN_STATUSES: readonly RunStatus[] = RUN_STATUSES.filter(isCancellable);

export const FAILURE_CODES = [
  "no_agent",
  "agent_not_found",
  "skill_not_found",
  "skill_not_enabled",
  "inputs_invalid",
  "model_not_configured",
  "model_error",
  "agent_crashed",
  "empty_deliverable",
  "guardrail_blocked",
  "max_steps",
  "timeout",
  "interrupted",
  "stale_running",
  "dispatch_failed",
  "dispatch_lost",
  "start_timeout",
  "run_timeout",
  "approval_timeout",
  "deliverable_rejected",
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

/** What a run waits for approval of: a gated tool call, or its final deliverable. */
export const APPROVAL_KINDS = ["tool", "deliverable"] as const;
export type ApprovalKind = (typeof APPROVAL_KINDS)[number];
/** A request for approval: waiting, decided either way, past its timeout, or ended with its run. */
export const APPROVAL_STATES = ["pending", "approved", "rejected", "expired", "cancelled"] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** Kinds of personal data a guardrail finds in text (and masks or blocks). */
export const PII_KINDS = ["email", "payment_card", "phone"] as const;
/** What a guardrail does with personal data it finds: nothing, replace it, or refuse the text. */
export const PII_MODES = ["off", "mask", "block"] as const;
export type PiiMode = (typeof PII_MODES)[number];

/** Tools every agent gets unless its template blocks them or the tenant switched them off. */
export const BUILT_IN_TOOLS = [
  "read_skill_reference",
  "search_knowledge_base",
  "current_time",
] as const;
export type BuiltInTool = (typeof BUILT_IN_TOOLS)[number];
export type PiiKind = (typeof PII_KINDS)[number];

export const INVOCATION_SOURCES = ["manual", "schedule", "webhook", "api", "rerun"] as const;
export type InvocationSource = (typeof INVOCATION_SOURCES)[number];

export const MEMBER_ROLES = ["owner", "admin", "operator", "viewer"] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** An operator's verdict on a complete run's deliverable: 👍 good or 👎 bad. */
export const FEEDBACK_RATINGS = ["good", "bad"] as const;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];

export const OVERLAP_POLICIES = ["skip", "allow"] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** `skipped_budget`: the tenant's monthly hard limit was reached; the schedule stays on and fires again next month. */
export const SCHEDULE_SLOT_OUTCOMES = [
  "fired",
  "skipped",
  "missed",
  "failed",
  "skipped_budget",
] as const;
export type ScheduleSlotOutcome = (typeof SCHEDULE_SLOT_OUTCOMES)[number];

export const WEBHOOK_DELIVERY_VERDICTS = [
  "accepted",
  "duplicate",
  "malformed",
  "bad_signature",
  "stale_timestamp",
  "not_found",
  "too_large",
  "unsupported_media_type",
  "inputs_invalid",
  "rate_limited",
  "failed",
] as const;
export type WebhookDeliveryVerdict = (typeof WEBHOOK_DELIVERY_VERDICTS)[number];

export const AUDIT_ACTOR_TYPES = ["user", "api_key", "webhook", "schedule", "system"] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

export const SKILL_ORIGINS = ["builtin", "tenant"] as const;
export type SkillOrigin = (typeof SKILL_ORIGINS)[number];

/** What the audit log records; `<target>.<verb>`. */
export const AUDIT_ACTIONS = [
  "run.start",
  "run.cancel",
  "run.rerun",
  "run.tag",
  "run.feedback",
  "run.approve",
  "run.reject",
  "schedule.create",
  "schedule.update",
  "schedule.enable",
  "schedule.disable",
  "schedule.delete",
  "schedule.run_now",
  "webhook.create",
  "webhook.update",
  "webhook.rotate_secret",
  "webhook.delete",
  "webhook.replay",
  "mcp_server.create",
  "mcp_server.update",
  "mcp_server.enable",
  "mcp_server.disable",
  "mcp_server.delete",
  "agent.create",
  "agent.update",
  "agent.delete",
  "agent.set_default",
  "api_key.create",
  "api_key.revoke",
  "member.invite",
  "member.invite_revoked",
  "member.add",
  "member.role_change",
  "member.remove",
  "auth.sign_in_failed",
  "tenant.create",
  "skill.create",
  "skill.update",
  "skill.enable",
  "skill.disable",
  "skill.delete",
  "knowledge_base.create",
  "knowledge_base.update",
  "knowledge_base.delete",
  "kb_document.upload",
  "kb_document.delete",
  "template.create",
  "template.update",
  "template.delete",
  "guardrail.create",
  "guardrail.update",
  "guardrail.delete",
  "budget.update",
  "run.delete",
  "run.retention_sweep",
  "retention.update",
  "alert_channel.create",
  "alert_channel.update",
  "alert_channel.delete",
  "alert_rule.create",
  "alert_rule.update",
  "alert_rule.delete",
  "saved_view.create",
  "saved_view.update",
  "saved_view.delete",
  "bulk_operation.start",
  "bulk_operation.cancel",
  "bulk_operation.finish",
  "run_delivery.retry",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Why a schedule or webhook cannot start runs of its skill (see `skillProblemOf`). */
export const SKILL_PROBLEMS = ["deleted", "disabled", "not_enabled"] as const;
export type SkillProblem = (typeof SKILL_PROBLEMS)[number];

/** The limits of a tenant's monthly budget; crossing one is recorded once a month (`budget_threshold_crossings`). */
export const BUDGET_THRESHOLDS = ["soft", "hard"] as const;
export type BudgetThreshold = (typeof BUDGET_THRESHOLDS)[number];

/** Where an alert (and later a run's deliverable) can be sent: `server/services/notify/`. */
export const CHANNEL_KINDS = ["email", "slack", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What an alert rule watches. */
export const ALERT_TRIGGERS = [
  "run_failed",
  "failure_rate",
  "schedule_problem",
  "budget_threshold",
  "approval_waiting",
] as const;
export type AlertTrigger = (typeof ALERT_TRIGGERS)[number];

/** A delivery of one alert to one channel. */
export const ALERT_DELIVERY_STATUSES = ["pending", "sent", "failed"] as const;
export type AlertDeliveryStatus = (typeof ALERT_DELIVERY_STATUSES)[number];

/** Where a run's result goes: a REST start's `callbackUrl`, or one of the tenant's channels. */
export const RUN_DELIVERY_TARGETS = ["callback", ...CHANNEL_KINDS] as const;
export type RunDeliveryTarget = (typeof RUN_DELIVERY_TARGETS)[number];

/**
 * A delivery of one run's result: `waiting` for the run to end, `pending` while it is being sent
 * (with retries), then `sent` or `failed`.
 */
export const RUN_DELIVERY_STATUSES = ["waiting", "pending", "sent", "failed"] as const;
export type RunDeliveryStatus = (typeof RUN_DELIVERY_STATUSES)[number];

/** What a bulk operation does to every run its filter matches (`bulk_operations`). */
export const BULK_OPERATION_KINDS = ["cancel", "rerun"] as const;
export type BulkOperationKind = (typeof BULK_OPERATION_KINDS)[number];

/** A bulk operation's life: queued → running → completed | cancelled | failed. */
export const BULK_OPERATION_STATUSES = [
  "queued",
  "running",
  "completed",
  "cancelled",
  "failed",
] as const;
export type BulkOperationStatus = (typeof BULK_OPERATION_STATUSES)[number];
export const ACTIVE_BULK_OPERATION_STATUSES: readonly BulkOperationStatus[] = ["queued", "running"];
