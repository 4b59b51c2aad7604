import { and, asc, eq, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, schedules, skills } from "@/server/db/schema";

/** The tenant's schedules, optionally of one skill, with what each runs. */
export function listSchedules(db: Database, tenantId: string, filters: { skillId?: string } = {}) {
  const conditions: (SQL | undefined)[] = [eq(schedules.tenantId, tenantId), filters.skillId ? eq(schedules.skillId, filters.skillId) : undefined];
  return db
    .select({
      id: schedules.id,
      name: schedules.name,
      cron: schedules.cron,
      timezone: schedules.timezone,
      enabled: schedules.enabled,
      nextFireAt: schedules.nextFireAt,
      lastFireAt: schedules.lastFireAt,
      disabledReason: schedules.disabledReason,
      skill: { id: skills.id, slug: skills.slug, name: skills.name },
      agent: { id: agents.id, name: agents.name },
    })
    .from(schedules)
    .innerJoin(skills, eq(skills.id, schedules.skillId))
    .leftJoin(agents, eq(agents.id, schedules.agentId))
    .where(and(...conditions))
    .orderBy(asc(schedules.name), asc(schedules.id));
}
