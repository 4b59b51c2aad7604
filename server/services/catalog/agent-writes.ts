import "server-only";
import { and, eq, ne } from "drizzle-orm";
import { auditChanges } from "@/lib/audit-changes";
import type { AgentInput } from "@/lib/schemas/agents";
import type { Database, Transaction } from "@/server/db/client";
import { agentKnowledgeBases, agentMcpServers, agents, agentSkills } from "@/server/db/schema";
import { recordAudit } from "@/server/services/access/audit";
import { ServiceError } from "@/server/services/errors";
import { AgentNotFoundError } from "./agent-config";
import { agentAudit, AUDIT_LABELS, auditFieldsOf, lockAgent, type AgentScope } from "./agent-audit";
import { AgentNameTakenError, loadAgentLinks, type AgentLinks } from "./agent-links";
import { agentUsage } from "./agents";
import { nameRaceAsConflict } from "./names";

export type { AgentScope };

export class AgentInUseError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "agent_in_use";
  constructor(
    name: string,
    usedBy: { schedules: { name: string }[]; webhooks: { name: string }[] },
  ) {
    const users = [
      ...usedBy.schedules.map((schedule) => `schedule "${schedule.name}"`),
      ...usedBy.webhooks.map((webhook) => `webhook "${webhook.name}"`),
    ];
    super(
      `"${name}" is used by ${users.join(", ")}. Point them at another agent (or delete them), then delete the agent.`,
    );
  }
}

export class DefaultAgentDeleteError extends ServiceError {
  readonly kind = "precondition";
  readonly code = "agent_is_default";
  constructor(name: string) {
    super(
      `"${name}" is this tenant's default agent. Make another agent the default first, then delete it.`,
    );
  }
}

async function assertNameFree(tx: Transaction, tenantId: string, name: string, agentId?: string) {
  const [taken] = await tx
    .select({ id: agents.id })
    .from(agents)
    .where(
      and(
        eq(agents.tenantId, tenantId),
        eq(agents.name, name),
        agentId ? ne(agents.id, agentId) : undefined,
      ),
    );
  if (taken) throw new AgentNameTakenError(name);
}

/** The agent's skill, MCP server and knowledge base links become exactly these. */
async function replaceLinks(tx: Transaction, agentId: string, links: AgentLinks) {
  await tx.delete(agentSkills).where(eq(agentSkills.agentId, agentId));
  await tx.delete(agentMcpServers).where(eq(agentMcpServers.agentId, agentId));
  await tx.delete(agentKnowledgeBases).where(eq(agentKnowledgeBases.agentId, agentId));
  if (links.skills.length)
    await tx
      .insert(agentSkills)
      .values(links.skills.map((skill) => ({ agentId, skillId: skill.id })));
  if (links.mcpServers.length)
    await tx
      .insert(agentMcpServers)
      .values(links.mcpServers.map((server) => ({ agentId, mcpServerId: server.id })));
  if (links.knowledgeBases.length)
    await tx
      .insert(agentKnowledgeBases)
      .values(links.knowledgeBases.map((base) => ({ agentId, knowledgeBaseId: base.id })));
}

const columnsOf = (input: AgentInput) => ({
  name: input.name,
  description: input.description,
  templateId: input.templateId,
  modelOverride: input.modelOverride || null,
  pairedUserId: input.pairedUserId,
  approvalPolicy: input.approvalPolicy,
});

/** A new agent of the tenant (never the default: that is its own, confirmed step). */
export async function createAgent(db: Database, scope: AgentScope, input: AgentInput) {
  return db
    .transaction(async (tx) => {
      const links = await loadAgentLinks(tx, scope.tenantId, input);
      await assertNameFree(tx, scope.tenantId, input.name);
      const [created] = await tx
        .insert(agents)
        .values({ tenantId: scope.tenantId, ...columnsOf(input) })
        .returning({ id: agents.id });
      if (!created) throw new Error("the agent was not inserted");
      await replaceLinks(tx, created.id, links);
      await recordAudit(
        tx,
        agentAudit(scope, "agent.create", created.id, {
          name: input.name,
          changes: auditChanges(null, auditFieldsOf(input, links), AUDIT_LABELS),
        }),
      );
      return created;
    })
    .catch(
      nameRaceAsConflict("agents_tenant_id_name_index", () => new AgentNameTakenError(input.name)),
    );
}

/** The agent row and its links replaced by the input, in one transaction. */
export async function updateAgent(
  db: Database,
  scope: AgentScope & { agentId: string },
  input: AgentInput,
) {
  return db
    .transaction(async (tx) => {
      // The links first: another tenant's ids are refused alike, whichever agent is named.
      const links = await loadAgentLinks(tx, scope.tenantId, input, scope.agentId);
      const current = await lockAgent(tx, scope.tenantId, scope.agentId);
      await assertNameFree(tx, scope.tenantId, input.name, scope.agentId);
      await tx
        .update(agents)
        .set({ ...columnsOf(input), updatedAt: new Date() })
        .where(eq(agents.id, scope.agentId));
      await replaceLinks(tx, scope.agentId, links);
      const changes = auditChanges(current.audit, auditFieldsOf(input, links), AUDIT_LABELS);
      if (changes.length)
        await recordAudit(
          tx,
          agentAudit(scope, "agent.update", scope.agentId, { name: input.name, changes }),
        );
      return { id: scope.agentId };
    })
    .catch(
      nameRaceAsConflict("agents_tenant_id_name_index", () => new AgentNameTakenError(input.name)),
    );
}

/** Refused while a schedule or webhook names the agent, and for the default agent. */
export async function deleteAgent(db: Database, scope: AgentScope & { agentId: string }) {
  await db.transaction(async (tx) => {
    // Locked first: a schedule saved meanwhile with this agent waits, then finds it gone.
    const { agent, audit } = await lockAgent(tx, scope.tenantId, scope.agentId);
    if (agent.isDefault) throw new DefaultAgentDeleteError(agent.name);
    const usedBy = await agentUsage(tx, scope.tenantId, agent.id);
    if (usedBy.schedules.length || usedBy.webhooks.length)
      throw new AgentInUseError(agent.name, usedBy);
    // Runs keep their config snapshot; their agent_id becomes null.
    await tx.delete(agents).where(eq(agents.id, agent.id));
    await recordAudit(
      tx,
      agentAudit(scope, "agent.delete", agent.id, {
        name: agent.name,
        changes: auditChanges(audit, null, AUDIT_LABELS),
      }),
    );
  });
}

/** The tenant's one default agent becomes this one; the old default stops being it in the same transaction. */
export async function setDefaultAgent(db: Database, scope: AgentScope & { agentId: string }) {
  await db.transaction(async (tx) => {
    // Every agent of the tenant locked: two concurrent switches take turns instead of both
    // unsetting the old default and then colliding on the one-default index.
    const tenantAgents = await tx
      .select({ id: agents.id, name: agents.name, isDefault: agents.isDefault })
      .from(agents)
      .where(eq(agents.tenantId, scope.tenantId))
      .for("update");
    const target = tenantAgents.find((agent) => agent.id === scope.agentId);
    if (!target) throw new AgentNotFoundError(scope.agentId);
    if (target.isDefault) return;
    const previous = tenantAgents.find((agent) => agent.isDefault);
    if (previous)
      await tx
        .update(agents)
        .set({ isDefault: false, updatedAt: new Date() })
        .where(eq(agents.id, previous.id));
    await tx
      .update(agents)
      .set({ isDefault: true, updatedAt: new Date() })
      .where(eq(agents.id, target.id));
    await recordAudit(
      tx,
      agentAudit(scope, "agent.set_default", target.id, {
        name: target.name,
        changes: [{ field: "Default agent", before: previous?.name ?? null, after: target.name }],
      }),
    );
  });
}

/** "Copy of <name>", numbered when the tenant already has one, within the name's length limit. */
async function copyNameOf(tx: Transaction, tenantId: string, name: string) {
  const taken = new Set(
    (await tx.select({ name: agents.name }).from(agents).where(eq(agents.tenantId, tenantId))).map(
      (agent) => agent.name,
    ),
  );
  const base = `Copy of ${name}`.slice(0, 110);
  for (let copy = 1; ; copy++) {
    const candidate = copy === 1 ? base : `${base} (${copy})`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * A new agent like this one (same template, model, links, paired user and approval policy), never
 * the default.
 */
export async function duplicateAgent(db: Database, scope: AgentScope & { agentId: string }) {
  // Two copies made at once can pick the same free name: the second is a conflict, not a 500.
  let copyName = "";
  return db
    .transaction(async (tx) => {
      const { agent, audit } = await lockAgent(tx, scope.tenantId, scope.agentId);
      const name = await copyNameOf(tx, scope.tenantId, agent.name);
      copyName = name;
      const [created] = await tx
        .insert(agents)
        .values({
          tenantId: scope.tenantId,
          name,
          description: agent.description,
          templateId: agent.templateId,
          modelOverride: agent.modelOverride,
          pairedUserId: agent.pairedUserId,
          approvalPolicy: agent.approvalPolicy,
        })
        .returning({ id: agents.id });
      if (!created) throw new Error("the agent was not inserted");
      const agentId = created.id;
      const [skillIds, serverIds, baseIds] = await Promise.all([
        tx
          .select({ id: agentSkills.skillId })
          .from(agentSkills)
          .where(eq(agentSkills.agentId, agent.id)),
        tx
          .select({ id: agentMcpServers.mcpServerId })
          .from(agentMcpServers)
          .where(eq(agentMcpServers.agentId, agent.id)),
        tx
          .select({ id: agentKnowledgeBases.knowledgeBaseId })
          .from(agentKnowledgeBases)
          .where(eq(agentKnowledgeBases.agentId, agent.id)),
      ]);
      if (skillIds.length)
        await tx.insert(agentSkills).values(skillIds.map(({ id }) => ({ agentId, skillId: id })));
      if (serverIds.length)
        await tx
          .insert(agentMcpServers)
          .values(serverIds.map(({ id }) => ({ agentId, mcpServerId: id })));
      if (baseIds.length)
        await tx
          .insert(agentKnowledgeBases)
          .values(baseIds.map(({ id }) => ({ agentId, knowledgeBaseId: id })));
      await recordAudit(
        tx,
        agentAudit(scope, "agent.create", agentId, {
          name,
          duplicateOf: agent.name,
          changes: auditChanges(null, { ...audit, name }, AUDIT_LABELS),
        }),
      );
      return created;
    })
    .catch(
      nameRaceAsConflict("agents_tenant_id_name_index", () => new AgentNameTakenError(copyName)),
    );
}
