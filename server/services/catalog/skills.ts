import "server-only";

import { and, asc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import { summaryOrderOf, titleInputOf } from "@/lib/skill-inputs";
import type { Database } from "@/server/db/client";
import { schedules, skills, webhooks, type SkillInputsSchema } from "@/server/db/schema";
import { SkillNotFoundError } from "@/server/services/runs/run-errors";

/** A skill's inputs schema with the columns derived from it: whoever writes a skill stores all three. */
export const inputsColumnsOf = (inputsSchema: SkillInputsSchema) => ({
  inputsSchema,
  summaryOrder: summaryOrderOf(inputsSchema),
  titleInput: titleInputOf(inputsSchema),
});

/**
 * Skills a tenant may run: the enabled built-in catalog plus the tenant's own. A deleted skill
 * is disabled too; the deleted check guards against a row where only one was set.
 */
export const skillVisibleTo = (tenantId: string | SQL) =>
  and(
    eq(skills.enabled, true),
    isNull(skills.deletedAt),
    or(isNull(skills.tenantId), eq(skills.tenantId, tenantId)),
  );

/** Ordering that puts a tenant's own skill before a built-in with the same slug. */
export const ownSkillFirst = sql`${skills.tenantId} is null`;

/**
 * Skills a tenant may read: the enabled built-in catalog plus its own not deleted, enabled or
 * not (a disabled skill's page still shows; `skillVisibleTo` stays the rule for running one).
 */
export const skillReadableBy = (tenantId: string) =>
  or(
    and(isNull(skills.tenantId), eq(skills.enabled, true)),
    and(eq(skills.tenantId, tenantId), isNull(skills.deletedAt)),
  );

const summaryColumns = {
  id: skills.id,
  slug: skills.slug,
  name: skills.name,
  description: skills.description,
  origin: skills.origin,
  versionHash: skills.versionHash,
  enabled: skills.enabled,
  updatedAt: skills.updatedAt,
};

/** The tenant's catalog: the skills it may run, or (`includeDisabled`) also its own disabled ones. */
export function listSkills(
  db: Database,
  tenantId: string,
  options: { includeDisabled?: boolean } = {},
) {
  return db
    .select({
      ...summaryColumns,
      inputCount: sql<number>`(select count(*) from json_object_keys(${skills.inputsSchema} -> 'properties'))::int`,
    })
    .from(skills)
    .where(options.includeDisabled ? skillReadableBy(tenantId) : skillVisibleTo(tenantId))
    .orderBy(asc(skills.name), asc(skills.id));
}

/** The id of the skill a slug names for the tenant (its own before a built-in), or null. */
export async function findSkillId(db: Database, tenantId: string, slug: string) {
  const [skill] = await db
    .select({ id: skills.id })
    .from(skills)
    .where(and(skillVisibleTo(tenantId), eq(skills.slug, slug)))
    .orderBy(ownSkillFirst)
    .limit(1);
  return skill?.id ?? null;
}

type Named = { id: string; name: string };

/** The tenant's schedules and webhooks that run the skill, by name: who a disable or delete affects. */
const usedByOf = (tenantId: string) => {
  // Qualified by hand: drizzle leaves a single-table query's columns bare, and these are nested.
  const usersOf = (table: typeof schedules | typeof webhooks) =>
    sql`(select coalesce(json_agg(json_build_object('id', used.id, 'name', used.name) order by used.name), '[]') from ${table} used where used.skill_id = ${skills}.id and used.tenant_id = ${tenantId})`;
  return sql<{
    schedules: Named[];
    webhooks: Named[];
  }>`json_build_object('schedules', ${usersOf(schedules)}, 'webhooks', ${usersOf(webhooks)})`;
};

/**
 * One skill by slug with its instructions and inputs schema; a tenant's own wins over a
 * built-in, and is found disabled too (`enabled` says so; runs still refuse it).
 */
export async function getSkill(db: Database, tenantId: string, slug: string) {
  const [skill] = await db
    .select({
      ...summaryColumns,
      inputsSchema: skills.inputsSchema,
      instructions: skills.instructions,
      referenceFiles: sql<
        string[]
      >`(select coalesce(jsonb_agg(file ->> 'path'), '[]'::jsonb) from jsonb_array_elements(${skills.referenceFiles}) as file)`,
      usedBy: usedByOf(tenantId),
    })
    .from(skills)
    .where(and(skillReadableBy(tenantId), eq(skills.slug, slug)))
    .orderBy(ownSkillFirst)
    .limit(1);
  if (!skill) throw new SkillNotFoundError(slug);
  return skill;
}
