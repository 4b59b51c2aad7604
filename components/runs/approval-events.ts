import { CheckCheck, Hand, Play, ThumbsDown, type LucideIcon } from "lucide-react";

type Described = {
  Icon: LucideIcon;
  title: string;
  detail?: string;
  extra?: string;
  tone?: "bad" | "good";
};

const text = (value: unknown) => (typeof value === "string" ? value : "");
const names = (value: unknown) =>
  Array.isArray(value) ? value.filter((name) => typeof name === "string").join(", ") : "";

/** The review gate's timeline events (issue 22): who decided and why; null for any other. */
export function describeApprovalEvent(event: {
  type: string;
  payload: Record<string, unknown>;
}): Described | null {
  const { payload } = event;
  const what =
    payload.kind === "deliverable" ? "the deliverable" : names(payload.tools) || "a tool call";
  switch (event.type) {
    case "awaiting_approval":
      return {
        Icon: Hand,
        title: `Awaiting approval of ${what}`,
        detail: payload.expiresAt
          ? `times out ${new Date(text(payload.expiresAt)).toLocaleString("en")}`
          : undefined,
      };
    case "approval_decided":
      return payload.decision === "approved"
        ? {
            Icon: CheckCheck,
            title: `Approved ${what}`,
            detail: `by ${text(payload.by)}`,
            extra: text(payload.reason) || undefined,
            tone: "good",
          }
        : {
            Icon: ThumbsDown,
            title: `Rejected ${what}`,
            detail: `by ${text(payload.by)}`,
            extra: text(payload.reason) || undefined,
            tone: "bad",
          };
    case "resumed":
      return { Icon: Play, title: "Resumed after the decision" };
    default:
      return null;
  }
}
