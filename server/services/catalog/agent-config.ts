import "server-only";

import {
  BUILT_IN_TOOLS,
  type AgentRuntimeConfig,
  type GuardrailRules,
} from "@/server/agent/config";
import { redactUrl } from "@/server/agent/redact-url";
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import {
  agentKnowledgeBases,
  agentMcpServers,
  agents,
  agentSkills,
  agentTemplates,
  guardrails,
  knowledgeBases,
  mcpServers,
  memberships,
  skills,
  tenantSettings,
  users,
} from "@/server/db/schema";
import { env } from "@/server/env";
import { ServiceError } from "@/server/services/errors";

// The console's run detail still takes the type from here; the agent runtime owns it.

export class AgentNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "agent_not_found";
  constructor(agentId: string) {
    super(`Agent ${agentId} was not found in this tenant.`);
  }
}

export class TemplateNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "template_not_found";
  constructor(templateId: string) {
    super(`Agent template ${templateId} was not found in this tenant.`);
  }
}

async function memberUser(db: Database, tenantId: string, userId: string) {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .innerJoin(
      memberships,
      and(eq(memberships.userId, users.id), eq(memberships.organizationId, tenantId)),
    )
    .where(eq(users.id, userId));
  return user ?? null;
}

/**
 * resolveAgentRuntimeConfig(tenantId, agentId, currentUser?) from the design: the agent's
 * model (its override, else the template's, else SKILLRUN_DEFAULT_MODEL), the template's
 * prompt and limits, the agent's skills, built-in tools minus the template's blocked ones
 * (none when the tenant turned them off), MCP servers, knowledge bases, the guardrail
 * (template's, else the tenant default) and the user the agent acts for (the invoker, else
 * the agent's paired user — each only if a member of the tenant). Every lookup is scoped
 * by tenant.
 */
export async function resolveAgentRuntimeConfig(
  db: Database,
  input: { tenantId: string; agentId: string; currentUserId?: string | null },
): Promise<AgentRuntimeConfig> {
  const { tenantId, agentId } = input;
  // One statement: the agent, its template and everything attached, each part tenant-scoped.
  const [row] = await db
    .select({
      agent: agents,
      template: agentTemplates,
      builtInToolsEnabled: sql<
        boolean | null
      >`(select ${tenantSettings.builtInToolsEnabled} from ${tenantSettings} where ${tenantSettings.tenantId} = ${tenantId})`,
      skills: sql<{ id: string; slug: string; name: string }[]>`coalesce((
        select json_agg(json_build_object('id', ${skills.id}, 'slug', ${skills.slug}, 'name', ${skills.name}) order by ${skills.name})
        from ${agentSkills} join ${skills} on ${skills.id} = ${agentSkills.skillId}
        where ${agentSkills.agentId} = ${agents.id} and ${skills.enabled} and (${skills.tenantId} is null or ${skills.tenantId} = ${tenantId})
      ), '[]')`,
      mcpServers: sql<{ id: string; name: string; url: string }[]>`coalesce((
        select json_agg(json_build_object('id', ${mcpServers.id}, 'name', ${mcpServers.name}, 'url', ${mcpServers.url}) order by ${mcpServers.name})
        from ${agentMcpServers} join ${mcpServers} on ${mcpServers.id} = ${agentMcpServers.mcpServerId}
        where ${agentMcpServers.agentId} = ${agents.id} and ${mcpServers.tenantId} = ${tenantId} and ${mcpServers.enabled}
      ), '[]')`,
      knowledgeBases: sql<{ id: string; name: string }[]>`coalesce((
        select json_agg(json_build_object('id', ${knowledgeBases.id}, 'name', ${knowledgeBases.name}) order by ${knowledgeBases.name})
        from ${agentKnowledgeBases} join ${knowledgeBases} on ${knowledgeBases.id} = ${agentKnowledgeBases.knowledgeBaseId}
        where ${agentKnowledgeBases.agentId} = ${agents.id} and ${knowledgeBases.tenantId} = ${tenantId}
      ), '[]')`,
      guardrails: sql<
        { id: string; name: string; rules: GuardrailRules; isTenantDefault: boolean }[]
      >`coalesce((
        select json_agg(json_build_object('id', ${guardrails.id}, 'name', ${guardrails.name}, 'rules', ${guardrails.rules}, 'isTenantDefault', ${guardrails.isTenantDefault}))
        from ${guardrails}
        where ${guardrails.tenantId} = ${tenantId} and (${guardrails.id} = ${agentTemplates.guardrailId} or ${guardrails.isTenantDefault})
      ), '[]')`,
    })
    .from(agents)
    .leftJoin(
      agentTemplates,
      and(eq(agentTemplates.id, agents.templateId), eq(agentTemplates.tenantId, tenantId)),
    )
    .where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId)));
  if (!row) throw new AgentNotFoundError(agentId);
  const { agent, template } = row;
  if (!template) throw new TemplateNotFoundError(agent.templateId);
  const agentSkillRows = row.skills;
  const mcpRows = row.mcpServers;
  const kbRows = row.knowledgeBases;
  const guardrailRows = row.guardrails;

  const templateGuardrail = guardrailRows.find((row) => row.id === template.guardrailId);
  const defaultGuardrail = guardrailRows.find((row) => row.isTenantDefault);
  const guardrail = templateGuardrail
    ? {
        id: templateGuardrail.id,
        name: templateGuardrail.name,
        rules: templateGuardrail.rules,
        source: "template" as const,
      }
    : defaultGuardrail
      ? {
          id: defaultGuardrail.id,
          name: defaultGuardrail.name,
          rules: defaultGuardrail.rules,
          source: "tenant default" as const,
        }
      : null;

  const builtInToolsEnabled = row.builtInToolsEnabled ?? true;
  const tools = builtInToolsEnabled
    ? BUILT_IN_TOOLS.filter((tool) => !template.blockedTools.includes(tool))
    : [];

  const invoker = input.currentUserId ? await memberUser(db, tenantId, input.currentUserId) : null;
  const paired =
    !invoker && agent.pairedUserId ? await memberUser(db, tenantId, agent.pairedUserId) : null;
  const currentUser = invoker
    ? { ...invoker, source: "invoker" as const }
    : paired
      ? { ...paired, source: "paired user" as const }
      : null;

  const [model, modelSource] = agent.modelOverride
    ? [agent.modelOverride, "agent" as const]
    : template.defaultModel
      ? [template.defaultModel, "template" as const]
      : [env.SKILLRUN_DEFAULT_MODEL, "deployment default" as const];

  return {
    agent: { id: agent.id, name: agent.name },
    template: { id: template.id, name: template.name },
    model,
    modelSource,
    systemPrompt: template.systemPrompt,
    skills: agentSkillRows,
    tools,
    blockedTools: template.blockedTools,
    mcpServers: mcpRows.map((server) => ({ ...server, url: redactUrl(server.url) })),
    knowledgeBases: kbRows,
    guardrail,
    limits: { maxSteps: template.maxSteps, timeoutSeconds: template.timeoutSeconds },
    currentUser,
  };
}
