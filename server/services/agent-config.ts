import { and, asc, eq, isNull, or } from "drizzle-orm";
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
  type GuardrailRules,
} from "@/server/db/schema";
import { env } from "@/server/env";

/** Tools every agent gets unless its template blocks them or the tenant switched them off. */
export const BUILT_IN_TOOLS = ["read_skill_reference", "search_knowledge_base", "current_time"] as const;
export type BuiltInTool = (typeof BUILT_IN_TOOLS)[number];

export class AgentNotFoundError extends Error {
  readonly code = "agent_not_found";
  constructor(agentId: string) {
    super(`Agent ${agentId} was not found in this tenant.`);
  }
}

export class TemplateNotFoundError extends Error {
  readonly code = "template_not_found";
  constructor(templateId: string) {
    super(`Agent template ${templateId} was not found in this tenant.`);
  }
}

/**
 * Everything an agent runs with, resolved in one place. It holds no secrets (MCP tokens stay
 * in the database), so it is also what a run stores as its config snapshot.
 */
export type AgentRuntimeConfig = {
  agent: { id: string; name: string };
  template: { id: string; name: string };
  model: string;
  modelSource: "agent" | "template" | "deployment default";
  systemPrompt: string;
  skills: { id: string; slug: string; name: string }[];
  tools: BuiltInTool[];
  blockedTools: string[];
  mcpServers: { id: string; name: string; url: string }[];
  knowledgeBases: { id: string; name: string }[];
  guardrail: { id: string; name: string; rules: GuardrailRules; source: "template" | "tenant default" } | null;
  limits: { maxSteps: number; timeoutSeconds: number };
  currentUser: { id: string; email: string; name: string; source: "invoker" | "paired user" } | null;
};

async function memberUser(db: Database, tenantId: string, userId: string) {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.organizationId, tenantId)))
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
  const [agent] = await db.select().from(agents).where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId)));
  if (!agent) throw new AgentNotFoundError(agentId);
  const [template] = await db
    .select()
    .from(agentTemplates)
    .where(and(eq(agentTemplates.id, agent.templateId), eq(agentTemplates.tenantId, tenantId)));
  if (!template) throw new TemplateNotFoundError(agent.templateId);

  const [settings, agentSkillRows, mcpRows, kbRows, guardrailRows] = await Promise.all([
    db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId)),
    db
      .select({ id: skills.id, slug: skills.slug, name: skills.name })
      .from(agentSkills)
      .innerJoin(skills, eq(skills.id, agentSkills.skillId))
      .where(and(eq(agentSkills.agentId, agent.id), eq(skills.enabled, true), or(isNull(skills.tenantId), eq(skills.tenantId, tenantId))))
      .orderBy(asc(skills.name)),
    db
      .select({ id: mcpServers.id, name: mcpServers.name, url: mcpServers.url })
      .from(agentMcpServers)
      .innerJoin(mcpServers, eq(mcpServers.id, agentMcpServers.mcpServerId))
      .where(and(eq(agentMcpServers.agentId, agent.id), eq(mcpServers.tenantId, tenantId), eq(mcpServers.enabled, true)))
      .orderBy(asc(mcpServers.name)),
    db
      .select({ id: knowledgeBases.id, name: knowledgeBases.name })
      .from(agentKnowledgeBases)
      .innerJoin(knowledgeBases, eq(knowledgeBases.id, agentKnowledgeBases.knowledgeBaseId))
      .where(and(eq(agentKnowledgeBases.agentId, agent.id), eq(knowledgeBases.tenantId, tenantId)))
      .orderBy(asc(knowledgeBases.name)),
    db
      .select()
      .from(guardrails)
      .where(
        and(
          eq(guardrails.tenantId, tenantId),
          template.guardrailId ? or(eq(guardrails.id, template.guardrailId), eq(guardrails.isTenantDefault, true)) : eq(guardrails.isTenantDefault, true),
        ),
      ),
  ]);

  const templateGuardrail = guardrailRows.find((row) => row.id === template.guardrailId);
  const defaultGuardrail = guardrailRows.find((row) => row.isTenantDefault);
  const guardrail = templateGuardrail
    ? { id: templateGuardrail.id, name: templateGuardrail.name, rules: templateGuardrail.rules, source: "template" as const }
    : defaultGuardrail
      ? { id: defaultGuardrail.id, name: defaultGuardrail.name, rules: defaultGuardrail.rules, source: "tenant default" as const }
      : null;

  const builtInToolsEnabled = settings[0]?.builtInToolsEnabled ?? true;
  const tools = builtInToolsEnabled ? BUILT_IN_TOOLS.filter((tool) => !template.blockedTools.includes(tool)) : [];

  const invoker = input.currentUserId ? await memberUser(db, tenantId, input.currentUserId) : null;
  const paired = !invoker && agent.pairedUserId ? await memberUser(db, tenantId, agent.pairedUserId) : null;
  const currentUser = invoker ? { ...invoker, source: "invoker" as const } : paired ? { ...paired, source: "paired user" as const } : null;

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
    mcpServers: mcpRows,
    knowledgeBases: kbRows,
    guardrail,
    limits: { maxSteps: template.maxSteps, timeoutSeconds: template.timeoutSeconds },
    currentUser,
  };
}
