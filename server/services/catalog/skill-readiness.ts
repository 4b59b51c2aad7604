import "server-only";
import { sql, type AnyColumn } from "drizzle-orm";
import type { SkillProblem } from "@/lib/enums";
import { skills } from "@/server/db/schema";
import { runAgentOf } from "@/server/services/runs/run-target";

/**
 * Why a schedule or webhook cannot start runs of its skill, for its list and detail pages: the
 * skill was deleted or disabled, or the agent its runs would go to (`runAgentOf`, the rule run
 * creation uses) may not run it; null when it can. For a query that joins `skills` on the
 * owner's skill.
 */
export function skillProblemOf(owner: { tenantId: AnyColumn; agentId: AnyColumn }) {
  const agentLacksSkill = runAgentOf(
    { tenantId: owner.tenantId, agentId: owner.agentId, skillId: skills.id },
    (hasSkill) => sql`not ${hasSkill}`,
  );
  return sql<SkillProblem | null>`case
    when ${skills.deletedAt} is not null then 'deleted'
    when not ${skills.enabled} then 'disabled'
    when coalesce((${agentLacksSkill}), false) then 'not_enabled'
    else null end`;
}
