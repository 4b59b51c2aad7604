import "server-only";

import { and, asc, eq, isNull, or, sql, type SQL } from "drizzle-orm";
import { summaryOrderOf, titleInputOf } from "@/lib/skill-inputs";
import type { Database } from "@/server/db/client";
import { skills, type SkillInputsSchema } from "@/server/db/schema";
import { SkillNotFoundError } from "@/server/services/runs/run-errors";

/** A skill's inputs schema with the columns derived from it: whoever writes a skill stores all three. */
export const inputsColumnsOf = (inputsSchema: SkillInputsSchema) => ({
  inputsSchema,
  summaryOrder: summaryOrderOf(inputsSchema),
  titleInput: titleInputOf(inputsSchema),
});

/** Skills a tenant may run: the enabled built-in catalog plus the tenant's own. */
export const skillVisibleTo = (tenantId: string | SQL) =>
  and(eq(skills.enabled, true), or(isNull(skills.tenantId), eq(skills.tenantId, tenantId)));

/** Ordering that puts a tenant's own skill before a built-in with the same slug. */
export const ownSkillFirst = sql`${skills.tenantId} is null`;

const summaryColumns = {
  id: skills.id,
  slug: skills.slug,
  name: skills.name,
  description: skills.description,
  origin: skills.origin,
  versionHash: skills.versionHash,
  updatedAt: skills.updatedAt,
};

export function listSkills(db: Database, tenantId: string) {
  return db
    .select({
      ...summaryColumns,
      inputCount: sql<number>`(select count(*) from json_object_keys(${skills.inputsSchema} -> 'properties'))::int`,
    })
    .from(skills)
    .where(skillVisibleTo(tenantId))
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

/** One skill by slug with its instructions and inputs schema; a tenant's own wins over a built-in. */
export async function getSkill(db: Database, tenantId: string, slug: string) {
  const [skill] = await db
    .select({
      ...summaryColumns,
      inputsSchema: skills.inputsSchema,
      instructions: skills.instructions,
      referenceFiles: sql<
        string[]
      >`(select coalesce(jsonb_agg(file ->> 'path'), '[]'::jsonb) from jsonb_array_elements(${skills.referenceFiles}) as file)`,
    })
    .from(skills)
    .where(and(skillVisibleTo(tenantId), eq(skills.slug, slug)))
    .orderBy(ownSkillFirst)
    .limit(1);
  if (!skill) throw new SkillNotFoundError(slug);
  return skill;
}
