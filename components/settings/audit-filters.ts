import {
  parseAsArrayOf,
  parseAsIsoDate,
  parseAsString,
  parseAsStringLiteral,
  useQueryStates,
  type inferParserType,
} from "nuqs";
import {
  AUDIT_ACTIONS,
  AUDIT_ACTOR_TYPES,
  type AuditAction,
  type AuditActorType,
} from "@/lib/enums";

/**
 * The audit log's filters, kept in the URL so a view can be shared and survives reloads.
 * `action` is a list (`?action=run.start,run.cancel`); a link with one action reads as before.
 */
export const auditFilterParsers = {
  action: parseAsArrayOf(parseAsStringLiteral(AUDIT_ACTIONS)),
  actor: parseAsStringLiteral(AUDIT_ACTOR_TYPES),
  target: parseAsString,
  from: parseAsIsoDate,
  to: parseAsIsoDate,
};

const DAY_MS = 24 * 60 * 60 * 1000;

export type AuditFilters = inferParserType<typeof auditFilterParsers>;

export const useAuditFilters = () => useQueryStates(auditFilterParsers, { history: "replace" });

/** URL filters as the audit.list input; `to` includes the whole day. */
export function auditListInputOf(filters: AuditFilters) {
  return {
    actions: filters.action?.length ? filters.action : undefined,
    actorType: filters.actor ?? undefined,
    targetId: filters.target?.trim() || undefined,
    from: filters.from ?? undefined,
    to: filters.to ? new Date(filters.to.getTime() + DAY_MS - 1) : undefined,
  };
}

export const ACTION_LABELS: Record<AuditAction, string> = {
  "run.start": "Run started",
  "budget.update": "Budget changed",
  "run.delete": "Run deleted",
  "run.retention_sweep": "Runs deleted by retention",
  "retention.update": "Retention policy changed",
  "run.cancel": "Run cancelled",
  "run.rerun": "Run re-run",
  "run.tag": "Run tags edited",
  "run.feedback": "Run feedback given",
  "bulk_operation.start": "Bulk operation started",
  "bulk_operation.cancel": "Bulk operation cancelled",
  "bulk_operation.finish": "Bulk operation finished",
  "run.approve": "Run action approved",
  "run.reject": "Run action rejected",
  "schedule.create": "Schedule created",
  "schedule.update": "Schedule edited",
  "schedule.enable": "Schedule enabled",
  "schedule.disable": "Schedule disabled",
  "schedule.delete": "Schedule deleted",
  "schedule.run_now": "Schedule run now",
  "webhook.create": "Webhook created",
  "webhook.update": "Webhook edited",
  "webhook.rotate_secret": "Webhook secret rotated",
  "webhook.delete": "Webhook deleted",
  "webhook.replay": "Webhook delivery replayed",
  "mcp_server.create": "MCP server added",
  "mcp_server.update": "MCP server edited",
  "mcp_server.enable": "MCP server enabled",
  "mcp_server.disable": "MCP server disabled",
  "mcp_server.delete": "MCP server deleted",
  "alert_channel.create": "Alert channel added",
  "alert_channel.update": "Alert channel edited",
  "alert_channel.delete": "Alert channel deleted",
  "alert_rule.create": "Alert rule added",
  "alert_rule.update": "Alert rule edited",
  "alert_rule.delete": "Alert rule deleted",
  "saved_view.create": "Shared view saved",
  "saved_view.update": "Shared view edited",
  "saved_view.delete": "Shared view deleted",
  "run_delivery.retry": "Run delivery retried",
  "agent.create": "Agent created",
  "agent.update": "Agent edited",
  "agent.delete": "Agent deleted",
  "agent.set_default": "Default agent changed",
  "api_key.create": "API key created",
  "api_key.revoke": "API key revoked",
  "member.invite": "Member invited",
  "member.invite_revoked": "Invitation revoked",
  "member.add": "Member added",
  "member.role_change": "Member role changed",
  "member.remove": "Member removed",
  "auth.sign_in_failed": "Sign-in failed",
  "tenant.create": "Tenant created",
  "skill.create": "Skill created",
  "skill.update": "Skill saved (new version)",
  "skill.enable": "Skill enabled",
  "skill.disable": "Skill disabled",
  "skill.delete": "Skill deleted",
  "knowledge_base.create": "Knowledge base created",
  "knowledge_base.update": "Knowledge base edited",
  "knowledge_base.delete": "Knowledge base deleted",
  "kb_document.upload": "Document uploaded",
  "kb_document.delete": "Document deleted",
  "template.create": "Template created",
  "template.update": "Template edited",
  "template.delete": "Template deleted",
  "guardrail.create": "Guardrail created",
  "guardrail.update": "Guardrail edited",
  "guardrail.delete": "Guardrail deleted",
};

export const ACTOR_LABELS: Record<AuditActorType, string> = {
  user: "User",
  api_key: "API key",
  webhook: "Webhook",
  schedule: "Schedule",
  system: "Skillrun",
};
