import "server-only";
import { and, eq, inArray, isNull, or } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { agents, skills } from "@/server/db/schema";
import type { usageQuery } from "./dashboard-queries";

type UsageRow = Awaited<ReturnType<typeof usageQuery>>[number];

/** One line of a usage table: a skill, an agent or a model (id null: runs without one). */
export type UsageLine = {
  id: string | null;
  name: string;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
};

/** How many lines each usage table keeps, costliest first. */
export const USAGE_LINES = 10;

const costliestFirst = (a: UsageLine, b: UsageLine) =>
  b.costUsd - a.costUsd || b.runs - a.runs || a.name.localeCompare(b.name);

/** The usage rows as three tables (by skill, agent, model), each line named. */
export async function usageTables(db: Database, tenantId: string, rows: UsageRow[]) {
  const of = (groupedBy: UsageRow["groupedBy"]) =>
    rows.filter((row) => row.groupedBy === groupedBy);
  const skillIds = of("skill").flatMap((row) => (row.skillId ? [row.skillId] : []));
  const agentIds = of("agent").flatMap((row) => (row.agentId ? [row.agentId] : []));
  const [skillNames, agentNames] = await Promise.all([
    skillIds.length
      ? db
          .select({ id: skills.id, name: skills.name })
          .from(skills)
          .where(
            and(
              inArray(skills.id, skillIds),
              or(isNull(skills.tenantId), eq(skills.tenantId, tenantId)),
            ),
          )
      : [],
    agentIds.length
      ? db
          .select({ id: agents.id, name: agents.name })
          .from(agents)
          .where(and(inArray(agents.id, agentIds), eq(agents.tenantId, tenantId)))
      : [],
  ]);
  const skillName = new Map(skillNames.map((skill) => [skill.id, skill.name]));
  const agentName = new Map(agentNames.map((agent) => [agent.id, agent.name]));
  const line = (row: UsageRow, id: string | null, name: string): UsageLine => ({
    id,
    name,
    runs: row.runs,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costUsd: row.costUsd,
  });
  // Lines of one id summed: the rollup keeps a deleted agent's id, where its runs now have none.
  const table = (lines: UsageLine[]) =>
    [
      ...lines
        .reduce((byId, next) => {
          const seen = byId.get(next.id);
          byId.set(
            next.id,
            seen
              ? {
                  ...seen,
                  runs: seen.runs + next.runs,
                  inputTokens: seen.inputTokens + next.inputTokens,
                  outputTokens: seen.outputTokens + next.outputTokens,
                  costUsd: seen.costUsd + next.costUsd,
                }
              : next,
          );
          return byId;
        }, new Map<string | null, UsageLine>())
        .values(),
    ]
      .sort(costliestFirst)
      .slice(0, USAGE_LINES);
  return {
    bySkill: table(
      of("skill").map((row) =>
        line(row, row.skillId, (row.skillId && skillName.get(row.skillId)) ?? "Unknown skill"),
      ),
    ),
    byAgent: table(
      of("agent").map((row) => {
        const name = row.agentId ? agentName.get(row.agentId) : undefined;
        return name ? line(row, row.agentId, name) : line(row, null, "No agent");
      }),
    ),
    byModel: table(of("model").map((row) => line(row, row.model, row.model ?? "No model"))),
  };
}
