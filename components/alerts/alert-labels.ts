import type { AlertDeliveryStatus, AlertTrigger, ChannelKind } from "@/lib/enums";

/** Words for the alert enums; `Record`s, so a new value cannot ship without its copy. */
export const TRIGGER_LABELS: Record<AlertTrigger, string> = {
  run_failed: "A run failed",
  failure_rate: "Failure rate above a threshold",
  schedule_problem: "A schedule slot was skipped or missed, or a schedule turned itself off",
  budget_threshold: "The monthly budget reached a limit",
  approval_waiting: "A run has waited for approval too long",
};

export const CHANNEL_KIND_LABELS: Record<ChannelKind, string> = {
  email: "Email (SMTP)",
  slack: "Slack incoming webhook",
  webhook: "Signed webhook",
};

export const DELIVERY_STATUS_LABELS: Record<AlertDeliveryStatus, string> = {
  pending: "Sending",
  sent: "Sent",
  failed: "Failed",
};

/** "saved •••• ending abcd": all the console ever shows of a saved secret. */
export const savedSecretText = (hint: string | null) =>
  hint ? `saved •••• ending ${hint}` : "saved";
