import "server-only";
import { and, asc, eq, exists, inArray, isNull, or, sql } from "drizzle-orm";
import type { AgentInput } from "@/lib/schemas/agents";
import type { Database, Transaction } from "@/server/db/client";
import {
  agentSkills,
  agentTemplates,
  knowledgeBases,
  mcpServers,
  memberships,
  skills,
  users,
} from "@/server/db/schema";
import { cannotBeSaved, ServiceError } from "@/server/services/errors";

/** The agent form's fields as a reader names them. */
export const AGENT_FIELD_LABELS: Record<keyof AgentInput, string> = {
  name: "Name",
  description: "Description",
  templateId: "Template",
  modelOverride: "Model",
  skillIds: "Skills",
  mcpServerIds: "MCP servers",
  knowledgeBaseIds: "Knowledge bases",
  pairedUserId: "Paired user",
  approvalPolicy: "Approval policy",
};

/** The input names what the service refuses, each field with why; nothing was changed. */
export class AgentInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "agent_invalid";
  constructor(readonly fieldErrors: Partial<Record<keyof AgentInput, string[]>>) {
    super(cannotBeSaved("The agent", fieldErrors, AGENT_FIELD_LABELS));
  }
}

/** Another agent of the tenant has the name. */
export class AgentNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "agent_name_taken";
  readonly fieldErrors = { name: ["is already the name of another agent of this tenant"] };
  constructor(name: string) {
    super(`Another agent of this tenant is already called "${name}".`);
  }
}

/** The rows an agent's input links to, each found among the tenant's own. */
export type AgentLinks = {
  template: typeof agentTemplates.$inferSelect;
  /** Built-in or the tenant's own; disabled ones included (they stay linked, and cannot run). */
  skills: { id: string; slug: string; name: string; enabled: boolean }[];
  mcpServers: { id: string; name: string; url: string; enabled: boolean }[];
  knowledgeBases: { id: string; name: string }[];
  pairedUser: { id: string; email: string; name: string } | null;
};

const unique = (ids: string[]) => [...new Set(ids)];

/**
 * The skills of these ids an agent may be given: built in or the tenant's own, not deleted, and
 * enabled, unless the agent being edited has it already (disabled since it was linked).
 */
function linkableSkills(
  db: Database | Transaction,
  tenantId: string,
  skillIds: string[],
  agentId: string | null,
) {
  const alreadyLinked = agentId
    ? exists(
        db
          .select({ one: sql`1` })
          .from(agentSkills)
          .where(and(eq(agentSkills.agentId, agentId), eq(agentSkills.skillId, skills.id))),
      )
    : undefined;
  return db
    .select({ id: skills.id, slug: skills.slug, name: skills.name, enabled: skills.enabled })
    .from(skills)
    .where(
      and(
        inArray(skills.id, skillIds),
        or(isNull(skills.tenantId), eq(skills.tenantId, tenantId)),
        isNull(skills.deletedAt),
        or(eq(skills.enabled, true), alreadyLinked),
      ),
    )
    .orderBy(asc(skills.name), asc(skills.id));
}

/**
 * Loads what an agent's input links to. Each id must be the tenant's (a skill: built in or the
 * tenant's own; a paired user: a member): an unknown id and another tenant's get the same field
 * error, naming no row, so the answer tells nothing about other tenants.
 */
export async function loadAgentLinks(
  db: Database | Transaction,
  tenantId: string,
  input: AgentInput,
  /** The agent being edited: a skill disabled since it was linked may stay linked. */
  agentId: string | null = null,
): Promise<AgentLinks> {
  const skillIds = unique(input.skillIds);
  const mcpServerIds = unique(input.mcpServerIds);
  const knowledgeBaseIds = unique(input.knowledgeBaseIds);
  const [[template], skillRows, serverRows, baseRows, [pairedUser]] = await Promise.all([
    db
      .select()
      .from(agentTemplates)
      .where(and(eq(agentTemplates.id, input.templateId), eq(agentTemplates.tenantId, tenantId))),
    skillIds.length ? linkableSkills(db, tenantId, skillIds, agentId) : [],
    mcpServerIds.length
      ? db
          .select({
            id: mcpServers.id,
            name: mcpServers.name,
            url: mcpServers.url,
            enabled: mcpServers.enabled,
          })
          .from(mcpServers)
          .where(and(inArray(mcpServers.id, mcpServerIds), eq(mcpServers.tenantId, tenantId)))
          .orderBy(asc(mcpServers.name))
      : [],
    knowledgeBaseIds.length
      ? db
          .select({ id: knowledgeBases.id, name: knowledgeBases.name })
          .from(knowledgeBases)
          .where(
            and(
              inArray(knowledgeBases.id, knowledgeBaseIds),
              eq(knowledgeBases.tenantId, tenantId),
            ),
          )
          .orderBy(asc(knowledgeBases.name))
      : [],
    input.pairedUserId
      ? db
          .select({ id: users.id, email: users.email, name: users.name })
          .from(users)
          .innerJoin(
            memberships,
            and(eq(memberships.userId, users.id), eq(memberships.organizationId, tenantId)),
          )
          .where(eq(users.id, input.pairedUserId))
      : [],
  ]);

  const errors: Partial<Record<keyof AgentInput, string[]>> = {};
  if (!template) errors.templateId = ["is not one of this tenant's templates"];
  if (skillRows.length !== skillIds.length)
    errors.skillIds = ["include one that is not in this tenant's catalog"];
  if (serverRows.length !== mcpServerIds.length)
    errors.mcpServerIds = ["include one that is not this tenant's"];
  if (baseRows.length !== knowledgeBaseIds.length)
    errors.knowledgeBaseIds = ["include one that is not this tenant's"];
  if (input.pairedUserId && !pairedUser) errors.pairedUserId = ["is not a member of this tenant"];
  if (!template || Object.keys(errors).length) throw new AgentInvalidError(errors);
  return {
    template,
    skills: skillRows,
    mcpServers: serverRows,
    knowledgeBases: baseRows,
    pairedUser: pairedUser ?? null,
  };
}
