import "server-only";

import {
  BUILT_IN_TOOLS,
  type AgentRuntimeConfig,
  type ApprovalPolicy,
  type GuardrailRules,
} from "@/server/agent/config";
import { redactUrl } from "@/server/agent/redact-url";
import { and, eq, sql, type SQL } from "drizzle-orm";
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

/** The user, if a member of the tenant. */
export async function memberUser(db: Database, tenantId: string, userId: string) {
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

/** A member of the tenant, as a runtime config names the user an agent acts for. */
export type MemberUser = { id: string; email: string; name: string };

type TemplateRow = typeof agentTemplates.$inferSelect;
export type GuardrailRow = {
  id: string;
  name: string;
  rules: GuardrailRules;
  isTenantDefault: boolean;
};

/**
 * Everything a runtime config is resolved from, each part already scoped to the tenant by
 * whoever loaded it: the saved agent's rows, or an unsaved draft's (see agent-preview.ts).
 */
export type RuntimeConfigSources = {
  agent: {
    id: string;
    name: string;
    modelOverride: string | null;
    /** Its own approval policy; null: the template's. */
    approvalPolicy: ApprovalPolicy | null;
  };
  template: Pick<
    TemplateRow,
    | "id"
    | "name"
    | "systemPrompt"
    | "defaultModel"
    | "blockedTools"
    | "guardrailId"
    | "maxSteps"
    | "timeoutSeconds"
    | "approvalTools"
    | "approveDeliverable"
    | "approvalTimeoutSeconds"
  >;
  /** The tenant's setting; null when the tenant has no settings row (on, as by default). */
  builtInToolsEnabled: boolean | null;
  /** Enabled and visible to the tenant, by name. */
  skills: { id: string; slug: string; name: string }[];
  /** Enabled, by name; the URL as stored (redacted here). */
  mcpServers: { id: string; name: string; url: string }[];
  knowledgeBases: { id: string; name: string }[];
  /** The template's guardrail and the tenant default, whichever exist. */
  guardrails: GuardrailRow[];
  /** The invoking user and the paired user, each only if a member of the tenant. */
  invoker: MemberUser | null;
  paired: MemberUser | null;
  deploymentDefaultModel: string;
};

/**
 * The runtime config the design describes, from its sources, with no I/O: the agent's model
 * (its override, else the template's, else the deployment default), the template's prompt and
 * limits, the approval policy (the agent's own, else the template's), the agent's skills, built-in tools minus the template's blocked ones (none when the
 * tenant turned them off), MCP servers, knowledge bases, the guardrail (template's, else the
 * tenant default) and the user the agent acts for (the invoker, else the paired user).
 */
export function runtimeConfigFrom(sources: RuntimeConfigSources): AgentRuntimeConfig {
  const { agent, template } = sources;
  const templateGuardrail = sources.guardrails.find((row) => row.id === template.guardrailId);
  const defaultGuardrail = sources.guardrails.find((row) => row.isTenantDefault);
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

  const builtInToolsEnabled = sources.builtInToolsEnabled ?? true;
  const tools = builtInToolsEnabled
    ? BUILT_IN_TOOLS.filter((tool) => !template.blockedTools.includes(tool))
    : [];

  const currentUser = sources.invoker
    ? { ...sources.invoker, source: "invoker" as const }
    : sources.paired
      ? { ...sources.paired, source: "paired user" as const }
      : null;

  const [model, modelSource] = agent.modelOverride
    ? [agent.modelOverride, "agent" as const]
    : template.defaultModel
      ? [template.defaultModel, "template" as const]
      : [sources.deploymentDefaultModel, "deployment default" as const];

  return {
    agent: { id: agent.id, name: agent.name },
    template: { id: template.id, name: template.name },
    model,
    modelSource,
    systemPrompt: template.systemPrompt,
    skills: sources.skills,
    tools,
    blockedTools: template.blockedTools,
    mcpServers: sources.mcpServers.map((server) => ({ ...server, url: redactUrl(server.url) })),
    knowledgeBases: sources.knowledgeBases,
    guardrail,
    limits: { maxSteps: template.maxSteps, timeoutSeconds: template.timeoutSeconds },
    approval: agent.approvalPolicy
      ? { ...agent.approvalPolicy, source: "agent" }
      : {
          tools: template.approvalTools,
          deliverable: template.approveDeliverable,
          timeoutSeconds: template.approvalTimeoutSeconds,
          source: "template",
        },
    currentUser,
  };
}

/** The tenant's built-in tools setting, as a subquery (null: no settings row). */
export const builtInToolsEnabledOf = (tenantId: string) =>
  sql<
    boolean | null
  >`(select ${tenantSettings.builtInToolsEnabled} from ${tenantSettings} where ${tenantSettings.tenantId} = ${tenantId})`;

/** The template's guardrail (by id, null for none) and the tenant default, as a json subquery. */
export const guardrailsOf = (tenantId: string, templateGuardrailId: SQL | string | null) =>
  sql<GuardrailRow[]>`coalesce((
    select json_agg(json_build_object('id', ${guardrails.id}, 'name', ${guardrails.name}, 'rules', ${guardrails.rules}, 'isTenantDefault', ${guardrails.isTenantDefault}))
    from ${guardrails}
    where ${guardrails.tenantId} = ${tenantId} and (${guardrails.id} = ${templateGuardrailId} or ${guardrails.isTenantDefault})
  ), '[]')`;

/**
 * resolveAgentRuntimeConfig(tenantId, agentId, currentUser?) from the design: the saved agent's
 * rows, each lookup scoped by tenant, resolved by `runtimeConfigFrom`. The invoker and the
 * paired user count only if members of the tenant.
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
      builtInToolsEnabled: builtInToolsEnabledOf(tenantId),
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
      guardrails: guardrailsOf(tenantId, sql`${agentTemplates.guardrailId}`),
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

  const invoker = input.currentUserId ? await memberUser(db, tenantId, input.currentUserId) : null;
  const paired =
    !invoker && agent.pairedUserId ? await memberUser(db, tenantId, agent.pairedUserId) : null;

  return runtimeConfigFrom({
    agent,
    template,
    builtInToolsEnabled: row.builtInToolsEnabled,
    skills: row.skills,
    mcpServers: row.mcpServers,
    knowledgeBases: row.knowledgeBases,
    guardrails: row.guardrails,
    invoker,
    paired,
    deploymentDefaultModel: env.SKILLRUN_DEFAULT_MODEL,
  });
}
