import "server-only";
import { and, asc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { auditChanges, type AuditValue } from "@/lib/audit-changes";
import type { AuditAction } from "@/lib/enums";
import type { AlertRuleInput } from "@/lib/schemas/alerts";
import type { Database, Transaction } from "@/server/db/client";
import {
  agents,
  alertRuleChannels,
  alertRules,
  notificationChannels,
  skills,
} from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { nameRaceAsConflict } from "@/server/services/catalog/names";
import { cannotBeSaved, ServiceError } from "@/server/services/errors";

export class AlertRuleNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "alert_rule_not_found";
  constructor(ruleId: string) {
    super(`Alert rule ${ruleId} was not found.`);
  }
}

export class AlertRuleNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "alert_rule_name_taken";
  readonly fieldErrors = { name: ["is already the name of another alert rule"] };
  constructor(name: string) {
    super(`An alert rule named "${name}" already exists.`);
  }
}

export class AlertRuleInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "alert_rule_invalid";
  constructor(readonly fieldErrors: Record<string, string[]>) {
    super(
      cannotBeSaved("The alert rule", fieldErrors, {
        channelIds: "Channels",
        "filters.skillId": "Skill",
        "filters.agentId": "Agent",
      }),
    );
  }
}

const NAME_INDEX = "alert_rules_tenant_id_name_index";
type RuleScope = { tenantId: string; audit: AuditContext };

/** Every rule of the tenant with the channels it sends to. */
export async function listAlertRules(db: Database | Transaction, tenantId: string) {
  return db
    .select({
      id: alertRules.id,
      name: alertRules.name,
      trigger: alertRules.trigger,
      filters: alertRules.filters,
      cooldownMinutes: alertRules.cooldownMinutes,
      enabled: alertRules.enabled,
      lastFiredAt: alertRules.lastFiredAt,
      updatedAt: alertRules.updatedAt,
      channelIds: sql<string[]>`coalesce((
        select array_agg(${alertRuleChannels.channelId} order by ${alertRuleChannels.channelId})
        from ${alertRuleChannels} where ${alertRuleChannels.ruleId} = ${alertRules}.${sql.identifier("id")}
      ), '{}')`,
    })
    .from(alertRules)
    .where(eq(alertRules.tenantId, tenantId))
    .orderBy(asc(alertRules.name), asc(alertRules.id));
}

/**
 * The rule's skill, agent and channels must be the tenant's (a built-in skill is everyone's);
 * another tenant's id is the same field error as an unknown one.
 */
async function refuseForeignLinks(tx: Transaction, tenantId: string, rule: AlertRuleInput) {
  const errors: Record<string, string[]> = {};
  const channels = await tx
    .select({ id: notificationChannels.id })
    .from(notificationChannels)
    .where(
      and(
        eq(notificationChannels.tenantId, tenantId),
        inArray(notificationChannels.id, rule.channelIds),
      ),
    );
  if (channels.length !== new Set(rule.channelIds).size)
    errors.channelIds = ["names a channel that does not exist"];
  const { skillId, agentId } = rule.filters;
  if (skillId) {
    const [skill] = await tx
      .select({ id: skills.id })
      .from(skills)
      .where(
        and(
          eq(skills.id, skillId),
          or(eq(skills.tenantId, tenantId), isNull(skills.tenantId)),
          isNull(skills.deletedAt),
        ),
      );
    if (!skill) errors["filters.skillId"] = ["does not exist"];
  }
  if (agentId) {
    const [agent] = await tx
      .select({ id: agents.id })
      .from(agents)
      .where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId)));
    if (!agent) errors["filters.agentId"] = ["does not exist"];
  }
  if (Object.keys(errors).length) throw new AlertRuleInvalidError(errors);
}

const AUDIT_LABELS = {
  name: "Name",
  trigger: "Trigger",
  filters: "Filters",
  cooldown: "Cooldown (minutes)",
  enabled: "Enabled",
  channels: "Channels",
};
type Audited = Partial<Record<keyof typeof AUDIT_LABELS, AuditValue>>;
const audited = (rule: AlertRuleInput): Audited => ({
  name: rule.name,
  trigger: rule.trigger,
  filters: JSON.stringify(rule.filters),
  cooldown: rule.cooldownMinutes,
  enabled: rule.enabled,
  channels: [...rule.channelIds].sort(),
});

async function recordRuleAudit(
  tx: Transaction,
  scope: RuleScope,
  action: Extract<AuditAction, `alert_rule.${string}`>,
  rule: { id: string; name: string },
  before: Audited | null,
  after: Audited | null,
) {
  await recordAudit(tx, {
    tenantId: scope.tenantId,
    ...scope.audit,
    action,
    target: { type: "alert_rule", id: rule.id },
    metadata: { name: rule.name, changes: auditChanges(before, after, AUDIT_LABELS) },
  });
}

async function linkChannels(tx: Transaction, ruleId: string, channelIds: string[]) {
  await tx.delete(alertRuleChannels).where(eq(alertRuleChannels.ruleId, ruleId));
  await tx
    .insert(alertRuleChannels)
    .values([...new Set(channelIds)].map((channelId) => ({ ruleId, channelId })));
}

export async function createAlertRule(db: Database, scope: RuleScope, rule: AlertRuleInput) {
  return db
    .transaction(async (tx) => {
      await refuseForeignLinks(tx, scope.tenantId, rule);
      const [created] = await tx
        .insert(alertRules)
        .values({
          tenantId: scope.tenantId,
          name: rule.name,
          trigger: rule.trigger,
          filters: rule.filters,
          cooldownMinutes: rule.cooldownMinutes,
          enabled: rule.enabled,
        })
        .returning({ id: alertRules.id, name: alertRules.name });
      if (!created) throw new Error("The alert rule insert returned no row.");
      await linkChannels(tx, created.id, rule.channelIds);
      await recordRuleAudit(tx, scope, "alert_rule.create", created, null, audited(rule));
      return { id: created.id };
    })
    .catch(nameRaceAsConflict(NAME_INDEX, () => new AlertRuleNameTakenError(rule.name)));
}

/** Edits a rule; its cooldown clock (`lastFiredAt`) carries on. */
export async function updateAlertRule(
  db: Database,
  scope: RuleScope & { ruleId: string },
  rule: AlertRuleInput,
) {
  await db
    .transaction(async (tx) => {
      const [current] = (await listAlertRules(tx, scope.tenantId)).filter(
        (candidate) => candidate.id === scope.ruleId,
      );
      if (!current) throw new AlertRuleNotFoundError(scope.ruleId);
      await refuseForeignLinks(tx, scope.tenantId, rule);
      await tx
        .update(alertRules)
        .set({
          name: rule.name,
          trigger: rule.trigger,
          filters: rule.filters,
          cooldownMinutes: rule.cooldownMinutes,
          enabled: rule.enabled,
          updatedAt: new Date(),
        })
        .where(and(eq(alertRules.id, scope.ruleId), eq(alertRules.tenantId, scope.tenantId)));
      await linkChannels(tx, scope.ruleId, rule.channelIds);
      await recordRuleAudit(
        tx,
        scope,
        "alert_rule.update",
        { id: scope.ruleId, name: rule.name },
        audited(current),
        audited(rule),
      );
    })
    .catch(nameRaceAsConflict(NAME_INDEX, () => new AlertRuleNameTakenError(rule.name)));
}

export async function deleteAlertRule(db: Database, scope: RuleScope & { ruleId: string }) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx
      .delete(alertRules)
      .where(and(eq(alertRules.id, scope.ruleId), eq(alertRules.tenantId, scope.tenantId)))
      .returning({ id: alertRules.id, name: alertRules.name, trigger: alertRules.trigger });
    if (!deleted) throw new AlertRuleNotFoundError(scope.ruleId);
    await recordRuleAudit(
      tx,
      scope,
      "alert_rule.delete",
      deleted,
      { name: deleted.name, trigger: deleted.trigger },
      null,
    );
  });
}
