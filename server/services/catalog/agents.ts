import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { missingModelSettings } from "@/server/agent/models";
import type { Database, Transaction } from "@/server/db/client";
import {
  agentKnowledgeBases,
  agentMcpServers,
  agents,
  agentSkills,
  agentTemplates,
  knowledgeBases,
  mcpServers,
  memberships,
  schedules,
  skills,
  users,
  webhooks,
} from "@/server/db/schema";
import { env } from "@/server/env";
import { AgentNotFoundError } from "./agent-config";
import { skillVisibleTo } from "./skills";

function selectAgents(db: Database, tenantId: string, agentId?: string) {
  return db
    .select({
      id: agents.id,
      name: agents.name,
      description: agents.description,
      isDefault: agents.isDefault,
      modelOverride: agents.modelOverride,
      templateModel: agentTemplates.defaultModel,
      template: { id: agentTemplates.id, name: agentTemplates.name },
      /** The skills assigned to the agent, so Run now can offer the agent a skill belongs to. */
      skillIds: sql<string[]>`coalesce((
        select json_agg(${agentSkills.skillId} order by ${agentSkills.skillId})
        from ${agentSkills} where ${agentSkills.agentId} = ${agents.id}
      ), '[]')`,
    })
    .from(agents)
    .innerJoin(
      agentTemplates,
      and(eq(agentTemplates.id, agents.templateId), eq(agentTemplates.tenantId, tenantId)),
    )
    .where(and(eq(agents.tenantId, tenantId), agentId ? eq(agents.id, agentId) : undefined))
    .orderBy(asc(agents.name));
}

/** An agent with the model it runs and whether that model can run here. */
function withModel({
  modelOverride,
  templateModel,
  ...agent
}: Awaited<ReturnType<typeof selectAgents>>[number]) {
  const model = modelOverride ?? templateModel ?? env.SKILLRUN_DEFAULT_MODEL;
  const missing = missingModelSettings(model);
  return {
    ...agent,
    model,
    configured: missing !== null && missing.length === 0,
    missingSettings: missing ?? [],
  };
}

/** The tenant's agents with the model each runs and whether that model can run here. */
export async function listAgents(db: Database, tenantId: string) {
  return (await selectAgents(db, tenantId)).map(withModel);
}

/** The schedules and webhooks that name an agent: while any does, it cannot be deleted. */
export async function agentUsage(db: Database | Transaction, tenantId: string, agentId: string) {
  const [usedBySchedules, usedByWebhooks] = await Promise.all([
    db
      .select({ id: schedules.id, name: schedules.name })
      .from(schedules)
      .where(and(eq(schedules.tenantId, tenantId), eq(schedules.agentId, agentId)))
      .orderBy(asc(schedules.name), asc(schedules.id)),
    db
      .select({ id: webhooks.id, name: webhooks.name })
      .from(webhooks)
      .where(and(eq(webhooks.tenantId, tenantId), eq(webhooks.agentId, agentId)))
      .orderBy(asc(webhooks.name), asc(webhooks.id)),
  ]);
  return { schedules: usedBySchedules, webhooks: usedByWebhooks };
}

/**
 * One of the tenant's agents, as listAgents shows it, with what the editor needs (its own model
 * override, links, paired user and approval policy) and what uses it. Unknown and foreign ids are both
 * AgentNotFoundError.
 */
export async function getAgent(db: Database, tenantId: string, agentId: string) {
  const [agent] = await selectAgents(db, tenantId, agentId);
  if (!agent) throw new AgentNotFoundError(agentId);
  const [[links], usedBy] = await Promise.all([
    db
      .select({
        modelOverride: agents.modelOverride,
        pairedUserId: agents.pairedUserId,
        approvalPolicy: agents.approvalPolicy,
        mcpServerIds: sql<string[]>`coalesce((
          select json_agg(${agentMcpServers.mcpServerId} order by ${agentMcpServers.mcpServerId})
          from ${agentMcpServers} where ${agentMcpServers.agentId} = ${agents.id}
        ), '[]')`,
        knowledgeBaseIds: sql<string[]>`coalesce((
          select json_agg(${agentKnowledgeBases.knowledgeBaseId} order by ${agentKnowledgeBases.knowledgeBaseId})
          from ${agentKnowledgeBases} where ${agentKnowledgeBases.agentId} = ${agents.id}
        ), '[]')`,
      })
      .from(agents)
      .where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId))),
    agentUsage(db, tenantId, agentId),
  ]);
  return {
    ...withModel(agent),
    modelOverride: links?.modelOverride ?? null,
    pairedUserId: links?.pairedUserId ?? null,
    approvalPolicy: links?.approvalPolicy ?? null,
    mcpServerIds: links?.mcpServerIds ?? [],
    knowledgeBaseIds: links?.knowledgeBaseIds ?? [],
    usedBy,
  };
}

/**
 * What the agent editor offers, names and ids only, all the tenant's: its templates (with the
 * model and approval policy each gives), the skills it may run (enabled, built in or its own), its MCP servers
 * (never a URL or token), knowledge bases and members.
 */
export async function agentFormOptions(db: Database, tenantId: string) {
  const [templates, skillOptions, servers, bases, members] = await Promise.all([
    db
      .select({
        id: agentTemplates.id,
        name: agentTemplates.name,
        defaultModel: agentTemplates.defaultModel,
        approval: {
          tools: agentTemplates.approvalTools,
          deliverable: agentTemplates.approveDeliverable,
          timeoutSeconds: agentTemplates.approvalTimeoutSeconds,
        },
      })
      .from(agentTemplates)
      .where(eq(agentTemplates.tenantId, tenantId))
      .orderBy(asc(agentTemplates.name)),
    db
      .select({
        id: skills.id,
        name: skills.name,
        slug: skills.slug,
        builtIn: sql<boolean>`${skills.tenantId} is null`,
      })
      .from(skills)
      .where(skillVisibleTo(tenantId))
      .orderBy(asc(skills.name), asc(skills.id)),
    db
      .select({ id: mcpServers.id, name: mcpServers.name, enabled: mcpServers.enabled })
      .from(mcpServers)
      .where(eq(mcpServers.tenantId, tenantId))
      .orderBy(asc(mcpServers.name)),
    db
      .select({ id: knowledgeBases.id, name: knowledgeBases.name })
      .from(knowledgeBases)
      .where(eq(knowledgeBases.tenantId, tenantId))
      .orderBy(asc(knowledgeBases.name)),
    db
      .select({ id: users.id, name: users.name, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.organizationId, tenantId))
      .orderBy(asc(users.name), asc(users.email)),
  ]);
  return {
    templates: templates.map((template) => ({
      ...template,
      model: template.defaultModel ?? env.SKILLRUN_DEFAULT_MODEL,
    })),
    skills: skillOptions,
    mcpServers: servers,
    knowledgeBases: bases,
    members,
  };
}
