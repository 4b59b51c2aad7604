import "server-only";
import { and, asc, eq } from "drizzle-orm";
import { missingModelSettings } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { agents, agentTemplates } from "@/server/db/schema";
import { env } from "@/server/env";

/** The tenant's agents with the model each runs and whether that model can run here. */
export async function listAgents(db: Database, tenantId: string) {
  const rows = await db
    .select({
      id: agents.id,
      name: agents.name,
      description: agents.description,
      isDefault: agents.isDefault,
      modelOverride: agents.modelOverride,
      templateModel: agentTemplates.defaultModel,
      template: { id: agentTemplates.id, name: agentTemplates.name },
    })
    .from(agents)
    .innerJoin(
      agentTemplates,
      and(eq(agentTemplates.id, agents.templateId), eq(agentTemplates.tenantId, tenantId)),
    )
    .where(eq(agents.tenantId, tenantId))
    .orderBy(asc(agents.name));
  return rows.map(({ modelOverride, templateModel, ...agent }) => {
    const model = modelOverride ?? templateModel ?? env.SKILLRUN_DEFAULT_MODEL;
    const missing = missingModelSettings(model);
    return {
      ...agent,
      model,
      configured: missing !== null && missing.length === 0,
      missingSettings: missing ?? [],
    };
  });
}
