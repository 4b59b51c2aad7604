import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { InputsSchema } from "@/lib/skill-inputs";
import type { Database, Transaction } from "@/server/db/client";
import { agents, agentSkills, skills, tenantBudgets } from "@/server/db/schema";
import { ownSkillFirst, skillVisibleTo } from "@/server/services/catalog/skills";

/**
 * What a run is asked to run: a skill (by id or slug) with an agent. None named: the tenant's
 * default if it has the skill, else the one agent that has it (as Run now preselects), else the
 * default, which is then refused the skill (`skill_not_enabled`).
 */
export type RunTargetRequest = {
  tenantId: string;
  skill: { id: string } | { slug: string };
  agentId?: string | null;
};

/**
 * The skill a request names, if its tenant may run it, and the agent it would run with, if any,
 * with whether that agent may run that skill (it is among the agent's skills).
 */
export type RunTarget = {
  skill: { id: string; name: string; versionHash: string; inputsSchema: InputsSchema } | null;
  agentId: string | null;
  agentName: string | null;
  agentHasSkill: boolean;
  /** Whether the tenant had a budget with a limit when the target was read (see `withinBudgets`). */
  tenantBudgeted: boolean;
};

/** Whether the `agents` row in scope may run this skill (it is among the agent's skills). */
const agentHasSkill = (skillId: SQLWrapper) =>
  sql`exists (select 1 from ${agentSkills} where ${agentSkills.agentId} = ${agents.id} and ${agentSkills.skillId} = ${skillId})`;

/**
 * The agent a run of this skill goes to, as `select <columns(hasSkill)> … limit 1` over
 * `agents`: the named one if it is the tenant's; none named, the default if it has the skill,
 * else the one agent that has it, else the default (or none). `columns` is given whether that
 * agent may run the skill. Run creation and the warnings on schedules and webhooks share it.
 */
export function runAgentOf(
  target: { tenantId: SQLWrapper; agentId: SQLWrapper; skillId: SQLWrapper },
  columns: (hasSkill: SQL) => SQL,
): SQL {
  const hasSkill = agentHasSkill(target.skillId);
  return sql`select ${columns(hasSkill)} from ${agents}
    where ${agents.tenantId} = ${target.tenantId}
      and (${agents.id} = ${target.agentId} or (${target.agentId} is null and (${agents.isDefault} or (
        ${hasSkill} and (
          select count(*) from ${agentSkills} join ${agents} as assignee on assignee.id = ${agentSkills.agentId}
          where ${agentSkills.skillId} = ${target.skillId} and assignee.tenant_id = ${target.tenantId}
        ) = 1
      ))))
    order by ${hasSkill} desc, ${agents.isDefault} desc
    limit 1`;
}

/** Requests per statement: five parameters each, well within PostgreSQL's 65,535. */
const LOOKUP_CHUNK = 1_000;

/**
 * The targets of many requests, each with its request, in one statement per thousand. The
 * skill: enabled, and built in or the tenant's own (`skillVisibleTo`), the tenant's own first
 * when a slug names both. The agent: the named one if it is the tenant's; none named, the
 * default if it has the skill, else the one agent that has it, else the default (or none).
 */
export async function findRunTargets<Request extends RunTargetRequest>(
  db: Database | Transaction,
  requests: Request[],
): Promise<{ request: Request; target: RunTarget }[]> {
  const found: { request: Request; target: RunTarget }[] = [];
  for (let offset = 0; offset < requests.length; offset += LOOKUP_CHUNK)
    found.push(...(await lookUpTargets(db, requests.slice(offset, offset + LOOKUP_CHUNK))));
  return found;
}

async function lookUpTargets<Request extends RunTargetRequest>(
  db: Database | Transaction,
  requests: Request[],
) {
  const visible = skillVisibleTo(sql`request.tenant_id`);
  const columns = sql`${skills.id}, ${skills.name}, ${skills.versionHash}, ${skills.inputsSchema}, ${ownSkillFirst} as built_in`;
  // Only the lookups the requests need: a smaller statement is planned faster, on every run.
  const skillLookups = [
    requests.some((request) => "id" in request.skill) &&
      sql`select ${columns} from ${skills} where ${skills.id} = request.skill_id and ${visible}`,
    requests.some((request) => "slug" in request.skill) &&
      sql`select ${columns} from ${skills} where ${skills.slug} = request.skill_slug and ${visible}`,
  ].filter((lookup) => lookup !== false);
  const values = requests.map(
    (request, position) =>
      sql`(${position}::int, ${request.tenantId}::text, ${"id" in request.skill ? request.skill.id : null}::uuid, ${"slug" in request.skill ? request.skill.slug : null}::text, ${request.agentId || null}::uuid)`,
  );
  const rows = await db.execute<
    (
      | { skill_id: string; skill_name: string; version_hash: string; inputs_schema: InputsSchema }
      | { skill_id: null; skill_name: null; version_hash: null; inputs_schema: null }
    ) & {
      position: number;
      agent_id: string | null;
      agent_name: string | null;
      agent_has_skill: boolean;
      tenant_budgeted: boolean;
    }
  >(sql`
    select request.position, skill.id as skill_id, skill.name as skill_name, skill.version_hash,
      skill.inputs_schema, agent.id as agent_id, agent.name as agent_name,
      coalesce(agent.has_skill, false) as agent_has_skill,
      exists (
        select 1 from ${tenantBudgets} where ${tenantBudgets.tenantId} = request.tenant_id
          and (${tenantBudgets.softLimitUsd} is not null or ${tenantBudgets.hardLimitUsd} is not null)
      ) as tenant_budgeted
    from (values ${sql.join(values, sql`, `)}) as request(position, tenant_id, skill_id, skill_slug, agent_id)
    left join lateral (
      ${sql.join(skillLookups, sql` union all `)}
      order by built_in limit 1
    ) skill on true
    left join lateral (
      ${runAgentOf(
        {
          tenantId: sql`request.tenant_id`,
          agentId: sql`request.agent_id`,
          skillId: sql`skill.id`,
        },
        (hasSkill) => sql`${agents.id}, ${agents.name}, ${hasSkill} as has_skill`,
      )}
    ) agent on true`);
  return rows.flatMap((row) => {
    const request = requests[row.position];
    if (!request) return [];
    const skill =
      row.skill_id === null
        ? null
        : {
            id: row.skill_id,
            name: row.skill_name,
            versionHash: row.version_hash,
            inputsSchema: row.inputs_schema,
          };
    const target = {
      skill,
      agentId: row.agent_id,
      agentName: row.agent_name,
      agentHasSkill: row.agent_has_skill,
      tenantBudgeted: row.tenant_budgeted,
    };
    return [{ request, target }];
  });
}

/**
 * Whether a schedule or a webhook may start runs of this skill with this agent, by the rules
 * a run is created with: the field errors (none when it may), and the skill's inputs schema to
 * check the rest against. Naming no agent is always allowed: it means the tenant's default.
 */
export async function checkRunTarget(
  db: Database | Transaction,
  tenantId: string,
  target: { skillId: string; agentId: string | null },
): Promise<{ skill: RunTarget["skill"]; errors: Record<string, string[]> }> {
  const [found] = await findRunTargets(db, [
    { tenantId, skill: { id: target.skillId }, agentId: target.agentId },
  ]);
  const skill = found?.target.skill ?? null;
  const errors: Record<string, string[]> = {};
  if (!skill) errors.skillId = ["is not a skill of this tenant"];
  if (target.agentId && !found?.target.agentId) errors.agentId = ["is not an agent of this tenant"];
  else if (skill && found?.target.agentId && !found.target.agentHasSkill)
    errors.agentId = [
      `${target.agentId ? "may not run" : "(the tenant's default agent) may not run"} "${skill.name}": it is not among the agent's skills`,
    ];
  return { skill, errors };
}
