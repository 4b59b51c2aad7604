import "server-only";
import { sql, type AnyColumn } from "drizzle-orm";
import type { SkillProblem } from "@/lib/enums";
import { agents, agentSkills, skills } from "@/server/db/schema";

/**
 * Why a schedule or webhook cannot start runs of its skill, for its list and detail pages: the
 * skill was deleted or disabled, or the agent it runs with (named, else the tenant's default)
 * may not run it; null when it can. For a query that joins `skills` on the owner's skill.
 */
export function skillProblemOf(owner: { tenantId: AnyColumn; agentId: AnyColumn }) {
  const agentId = sql`coalesce(${owner.agentId}, (select ${agents.id} from ${agents} where ${agents.tenantId} = ${owner.tenantId} and ${agents.isDefault} limit 1))`;
  return sql<SkillProblem | null>`case
    when ${skills.deletedAt} is not null then 'deleted'
    when not ${skills.enabled} then 'disabled'
    when ${agentId} is not null and not exists (
      select 1 from ${agentSkills}
      where ${agentSkills.skillId} = ${skills.id} and ${agentSkills.agentId} = ${agentId}
    ) then 'not_enabled'
    else null end`;
}
