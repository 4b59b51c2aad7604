import "server-only";
import { and, asc, eq, sql } from "drizzle-orm";
import { missingModelSettings } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { agents, agentSkills, agentTemplates } from "@/server/db/schema";
import { env } from "@/server/env";
import { AgentNotFoundError } from "./agent-config";

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

/** One of the tenant's agents, as listAgents shows it; unknown and foreign ids are both AgentNotFoundError. */
export async function getAgent(db: Database, tenantId: string, agentId: string) {
  const [agent] = await selectAgents(db, tenantId, agentId);
  if (!agent) throw new AgentNotFoundError(agentId);
  return withModel(agent);
}
