import "server-only";
import { and, desc, eq, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { skillDraft, type SkillDraft } from "@/lib/schemas/skills";
import type { Database } from "@/server/db/client";
import { skills, skillVersions, users, type SkillInputsSchema } from "@/server/db/schema";
import { recordAudit } from "@/server/services/access/audit";
import { skillReadableBy } from "./skills";
import { checkSkillDocument, renderSkillMd, type SkillDocument } from "./skill-document";
import {
  ownLiveSkill,
  saveSkill,
  SkillSlugTakenError,
  SkillVersionNotFoundError,
  TenantSkillNotFoundError,
  type SavedSkill,
  type SkillSaveScope,
} from "./skill-versions";

/** The skill if the tenant may read it (an enabled built-in or its own), else not found. */
async function readableSkill(db: Database, tenantId: string, skillId: string) {
  const [skill] = await db
    .select({ id: skills.id, versionHash: skills.versionHash })
    .from(skills)
    .where(and(eq(skills.id, skillId), skillReadableBy(tenantId)));
  if (!skill) throw new TenantSkillNotFoundError(skillId);
  return skill;
}

/** Every saved version of a skill, newest first, with who saved it; the newest is the current one. */
export async function listSkillVersions(db: Database, tenantId: string, skillId: string) {
  await readableSkill(db, tenantId, skillId);
  const rows = await db
    .select({
      id: skillVersions.id,
      versionHash: skillVersions.versionHash,
      createdAt: skillVersions.createdAt,
      author: users.name,
    })
    .from(skillVersions)
    .leftJoin(users, eq(users.id, skillVersions.createdByUserId))
    .where(eq(skillVersions.skillId, skillId))
    .orderBy(desc(skillVersions.createdAt), desc(skillVersions.id));
  return rows.map((row, index) => ({ ...row, current: index === 0 }));
}

/** The full content of one version of a skill (the newest row with that hash: they are equal). */
export async function getSkillVersion(
  db: Database,
  tenantId: string,
  skillId: string,
  versionHash: string,
) {
  await readableSkill(db, tenantId, skillId);
  const [version] = await db
    .select({
      versionHash: skillVersions.versionHash,
      name: skillVersions.name,
      description: skillVersions.description,
      inputsSchema: skillVersions.inputsSchema,
      instructions: skillVersions.instructions,
      referenceFiles: skillVersions.referenceFiles,
      createdAt: skillVersions.createdAt,
    })
    .from(skillVersions)
    .where(and(eq(skillVersions.skillId, skillId), eq(skillVersions.versionHash, versionHash)))
    .orderBy(desc(skillVersions.createdAt))
    .limit(1);
  if (!version) throw new SkillVersionNotFoundError(versionHash);
  // The SKILL.md text as export writes it, for diffs between versions.
  return { ...version, skillMd: renderSkillMd(version) };
}

/** Enables or disables the tenant's own skill; a disabled skill starts no runs. */
export async function setSkillEnabled(
  db: Database,
  scope: SkillSaveScope,
  skillId: string,
  enabled: boolean,
) {
  return db.transaction(async (tx) => {
    const [skill] = await tx
      .select({ id: skills.id, name: skills.name, slug: skills.slug, enabled: skills.enabled })
      .from(skills)
      .where(ownLiveSkill(scope.tenantId, skillId))
      .for("update");
    if (!skill) throw new TenantSkillNotFoundError(skillId);
    if (skill.enabled === enabled) return { id: skill.id, enabled };
    await tx
      .update(skills)
      .set({ enabled, updatedAt: sql`now()` })
      .where(eq(skills.id, skill.id));
    await recordAudit(tx, {
      tenantId: scope.tenantId,
      ...scope.audit,
      action: enabled ? "skill.enable" : "skill.disable",
      target: { type: "skill", id: skill.id },
      metadata: { name: skill.name, slug: skill.slug },
    });
    return { id: skill.id, enabled };
  });
}

/**
 * Deletes the tenant's own skill softly: it is disabled and its slug is free again. Its runs keep
 * pointing at it and its versions stay; schedules and webhooks that ran it now say it is gone.
 */
export async function deleteSkill(db: Database, scope: SkillSaveScope, skillId: string) {
  return db.transaction(async (tx) => {
    const [skill] = await tx
      .update(skills)
      .set({ deletedAt: sql`now()`, enabled: false, updatedAt: sql`now()` })
      .where(ownLiveSkill(scope.tenantId, skillId))
      .returning({ id: skills.id, name: skills.name, slug: skills.slug });
    if (!skill) throw new TenantSkillNotFoundError(skillId);
    await recordAudit(tx, {
      tenantId: scope.tenantId,
      ...scope.audit,
      action: "skill.delete",
      target: { type: "skill", id: skill.id },
      metadata: { name: skill.name, slug: skill.slug },
    });
    return { id: skill.id };
  });
}

/**
 * Copies a skill the tenant may read (a built-in, typically) into a new skill of the tenant's
 * own: the handy start for authoring. The slug is `<slug>-copy` unless one is chosen.
 */
export async function duplicateSkill(
  db: Database,
  scope: SkillSaveScope,
  source: { skillId: string; slug?: string | undefined },
): Promise<SavedSkill> {
  const [skill] = await db
    .select({
      slug: skills.slug,
      name: skills.name,
      description: skills.description,
      inputsSchema: skills.inputsSchema,
      instructions: skills.instructions,
      referenceFiles: skills.referenceFiles,
    })
    .from(skills)
    .where(and(eq(skills.id, source.skillId), skillReadableBy(scope.tenantId)));
  if (!skill) throw new TenantSkillNotFoundError(source.skillId);
  const { slug, name, ...document } = skill;
  return saveSkill(db, scope, {
    ...document,
    slug: source.slug ?? `${slug}-copy`,
    name: `${name} (copy)`,
  });
}

/** An editor's draft as a document; its inputs schema is any object until `checkSkillDocument` says. */
function documentOf(draft: SkillDraft): SkillDocument & { slug: string } {
  return { ...draft, inputsSchema: draft.inputsSchema as SkillInputsSchema };
}

export const createSkill = (db: Database, scope: SkillSaveScope, draft: SkillDraft) =>
  saveSkill(db, scope, documentOf(draft));

export const updateSkill = (
  db: Database,
  scope: SkillSaveScope,
  skillId: string,
  draft: SkillDraft,
) => saveSkill(db, scope, { ...documentOf(draft), skillId });

/**
 * What a save of the draft would answer, writing nothing: the field errors (a slug another
 * live skill of the tenant has included), or none and the version hash it would get.
 */
export async function validateSkillDraft(
  db: Database,
  tenantId: string,
  draft: { skillId?: string | undefined; skill: SkillDraft },
): Promise<{ fieldErrors: Record<string, string[]>; versionHash: string | null }> {
  // The save's own input rules first (their wording), then the loader's.
  const shape = skillDraft.safeParse(draft.skill);
  const checked = checkSkillDocument(draft.skill.slug, documentOf(draft.skill));
  const fieldErrors: Record<string, string[]> = {
    ...("errors" in checked ? checked.errors : {}),
    ...(shape.success ? {} : z.flattenError(shape.error).fieldErrors),
  };
  if (!fieldErrors.slug) {
    const [taken] = await db
      .select({ id: skills.id })
      .from(skills)
      .where(
        and(
          eq(skills.tenantId, tenantId),
          eq(skills.slug, draft.skill.slug),
          isNull(skills.deletedAt),
          draft.skillId ? ne(skills.id, draft.skillId) : undefined,
        ),
      )
      .limit(1);
    if (taken) fieldErrors.slug = new SkillSlugTakenError(draft.skill.slug).fieldErrors.slug ?? [];
  }
  const versionHash = "errors" in checked || !shape.success ? null : checked.versionHash;
  return { fieldErrors, versionHash: Object.keys(fieldErrors).length ? null : versionHash };
}
