import "server-only";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { AuditValue } from "@/lib/audit-changes";
import { approvalSummary } from "@/lib/approval-policy";
import type { AuditAction } from "@/lib/enums";
import type { AgentInput } from "@/lib/schemas/agents";
import type { ApprovalPolicy } from "@/server/agent/config";
import type { Transaction } from "@/server/db/client";
import {
  agentKnowledgeBases,
  agentMcpServers,
  agents,
  agentSkills,
  agentTemplates,
  knowledgeBases,
  mcpServers,
  skills,
  users,
} from "@/server/db/schema";
import type { AuditContext } from "@/server/services/access/audit";
import { AgentNotFoundError } from "./agent-config";
import type { AgentLinks } from "./agent-links";

/** A change to the tenant's agents, and who makes it (the entry written with the change). */
export type AgentScope = { tenantId: string; audit: AuditContext };

/** What the audit log shows of an agent, for its readable before/after. */
export const AUDIT_LABELS = {
  name: "Name",
  description: "Description",
  template: "Template",
  model: "Model override",
  skills: "Skills",
  mcpServers: "MCP servers",
  knowledgeBases: "Knowledge bases",
  pairedUser: "Paired user",
  approvalPolicy: "Approval policy",
} as const;
type AuditFields = Record<keyof typeof AUDIT_LABELS, AuditValue>;

/** The agent's own policy in one line, or that it follows its template's. */
const policyOf = (policy: ApprovalPolicy | null) =>
  policy ? approvalSummary(policy) : "the template's";

const personOf = (user: { name: string; email: string } | null) =>
  user ? `${user.name} <${user.email}>` : null;

export const auditFieldsOf = (input: AgentInput, links: AgentLinks): AuditFields => ({
  name: input.name,
  description: input.description,
  template: links.template.name,
  model: input.modelOverride,
  skills: links.skills.map((skill) => skill.name),
  mcpServers: links.mcpServers.map((server) => server.name),
  knowledgeBases: links.knowledgeBases.map((base) => base.name),
  pairedUser: personOf(links.pairedUser),
  approvalPolicy: policyOf(input.approvalPolicy),
});

const namesOf = (column: AnyPgColumn, join: SQL) =>
  sql<string[]>`coalesce((select json_agg(${column} order by ${column}) ${join}), '[]')`;

/** The saved agent, locked for the change, with its links by name. */
export async function lockAgent(tx: Transaction, tenantId: string, agentId: string) {
  const [agent] = await tx
    .select({
      id: agents.id,
      name: agents.name,
      description: agents.description,
      isDefault: agents.isDefault,
      templateId: agents.templateId,
      modelOverride: agents.modelOverride,
      pairedUserId: agents.pairedUserId,
      approvalPolicy: agents.approvalPolicy,
      template: sql<
        string | null
      >`(select ${agentTemplates.name} from ${agentTemplates} where ${agentTemplates.id} = ${agents.templateId})`,
      skills: namesOf(
        skills.name,
        sql`from ${agentSkills} join ${skills} on ${skills.id} = ${agentSkills.skillId} where ${agentSkills.agentId} = ${agents.id}`,
      ),
      mcpServers: namesOf(
        mcpServers.name,
        sql`from ${agentMcpServers} join ${mcpServers} on ${mcpServers.id} = ${agentMcpServers.mcpServerId} where ${agentMcpServers.agentId} = ${agents.id}`,
      ),
      knowledgeBases: namesOf(
        knowledgeBases.name,
        sql`from ${agentKnowledgeBases} join ${knowledgeBases} on ${knowledgeBases.id} = ${agentKnowledgeBases.knowledgeBaseId} where ${agentKnowledgeBases.agentId} = ${agents.id}`,
      ),
      pairedUser: sql<
        string | null
      >`(select ${users.name} || ' <' || ${users.email} || '>' from ${users} where ${users.id} = ${agents.pairedUserId})`,
    })
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId)))
    .for("update", { of: agents });
  if (!agent) throw new AgentNotFoundError(agentId);
  const {
    id: _id,
    isDefault: _isDefault,
    templateId: _t,
    modelOverride,
    pairedUserId: _p,
    approvalPolicy,
    ...shown
  } = agent;
  return {
    agent,
    audit: {
      ...shown,
      model: modelOverride,
      approvalPolicy: policyOf(approvalPolicy),
    } satisfies AuditFields,
  };
}

export const agentAudit = (
  scope: AgentScope,
  action: Extract<AuditAction, `agent.${string}`>,
  agentId: string,
  metadata: Record<string, unknown>,
) => ({
  tenantId: scope.tenantId,
  ...scope.audit,
  action,
  target: { type: "agent", id: agentId },
  metadata,
});
