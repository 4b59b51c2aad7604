import "server-only";
import { and, eq, isNull, sql } from "drizzle-orm";
import { auditChanges } from "@/lib/audit-changes";
import type { Database, Transaction } from "@/server/db/client";
import { isUniqueViolation } from "@/server/db/errors";
import { skills, skillVersions } from "@/server/db/schema";
import { recordAudit, type AuditContext } from "@/server/services/access/audit";
import { cannotBeSaved, ServiceError } from "@/server/services/errors";
import { inputsColumnsOf } from "./skills";
import { checkSkillDocument, type SkillDocument, type SkillFieldErrors } from "./skill-document";

const SKILL_FIELD_LABELS = {
  slug: "Slug",
  name: "Name",
  description: "Description",
  inputsSchema: "Inputs schema",
  instructions: "Instructions",
  referenceFiles: "Reference files",
};

export class SkillInvalidError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "skill_invalid";
  constructor(readonly fieldErrors: SkillFieldErrors & Record<string, string[]>) {
    super(cannotBeSaved("The skill", fieldErrors, SKILL_FIELD_LABELS));
  }
}

export class SkillSlugTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "skill_slug_taken";
  readonly fieldErrors: Record<string, string[]>;
  constructor(slug: string) {
    super(`This tenant already has a skill with the slug "${slug}".`);
    this.fieldErrors = { slug: ["is already the slug of another skill of this tenant"] };
  }
}

export class SkillChangedSincePreviewError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "skill_changed_since_preview";
  constructor(slug: string) {
    super(
      `Skill "${slug}" was saved again since the preview; preview the zip again to see what would change.`,
    );
  }
}

export class SkillVersionNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "skill_version_not_found";
  constructor(versionHash: string) {
    super(`Version ${versionHash} of this skill was not found.`);
  }
}

export class TenantSkillNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "skill_not_found";
  constructor(skillId: string) {
    super(`Skill ${skillId} was not found among this tenant's own skills.`);
  }
}

/** Who saves, for the version's author and the audit entry (which says `via` when not the editor). */
export type SkillSaveScope = {
  tenantId: string;
  userId: string | null;
  audit: AuditContext;
  via?: "import";
};

export type SavedSkill = {
  id: string;
  slug: string;
  versionHash: string;
  /** False when the content equals the current version: nothing was written. */
  changed: boolean;
};

const AUDITED_FIELDS = {
  name: "Name",
  description: "Description",
  versionHash: "Version",
  inputs: "Inputs",
  instructions: "Instructions",
  referenceFiles: "Reference files",
};

function audited(document: SkillDocument & { versionHash: string }) {
  return {
    name: document.name,
    description: document.description,
    versionHash: document.versionHash,
    inputs: Object.keys(document.inputsSchema.properties),
    // The text itself stays in the version; the log gives its size (the version says it changed).
    instructions: `${document.instructions.length.toLocaleString("en")} characters`,
    referenceFiles: document.referenceFiles.map((file) => file.path),
  };
}

async function insertVersion(
  tx: Transaction,
  skillId: string,
  versionHash: string,
  document: SkillDocument,
  userId: string | null,
) {
  await tx.insert(skillVersions).values({
    skillId,
    versionHash,
    ...document,
    createdByUserId: userId,
  });
}

/** Called under the row lock: a save between the caller's read and this one is seen here. */
function assertVersionExpected(currentHash: string, draft: SkillDraftToSave) {
  if (draft.expectedVersionHash !== undefined && currentHash !== draft.expectedVersionHash)
    throw new SkillChangedSincePreviewError(draft.slug);
}

/** A skill to save: new without `skillId`, else a new version of that skill. */
export type SkillDraftToSave = {
  skillId?: string;
  slug: string;
  /** The version the caller last saw: another save since then refuses this one. */
  expectedVersionHash?: string;
} & SkillDocument;

/**
 * Saves a tenant skill: creates it (no `skillId`) or saves a new version of the tenant's own
 * skill. The content is checked with the catalog loader's rules and stored in its canonical
 * form; each save that changes it is a new immutable version (a roll back is saving an old
 * version's content again). A save equal to the current version writes nothing. Invariant: the
 * skill row always equals its newest `skill_versions` row, written in the same transaction.
 */
export async function saveSkill(
  db: Database,
  scope: SkillSaveScope,
  draft: SkillDraftToSave,
): Promise<SavedSkill> {
  const checked = checkSkillDocument(draft.slug, draft);
  if ("errors" in checked) throw new SkillInvalidError(checked.errors);
  const { document, versionHash } = checked;
  const columns = {
    name: document.name,
    description: document.description,
    ...inputsColumnsOf(document.inputsSchema),
    instructions: document.instructions,
    referenceFiles: document.referenceFiles,
    versionHash,
  };
  try {
    return await db.transaction(async (tx) => {
      if (!draft.skillId) {
        const [created] = await tx
          .insert(skills)
          .values({ tenantId: scope.tenantId, origin: "tenant", slug: draft.slug, ...columns })
          .returning({ id: skills.id });
        if (!created) throw new Error("insert returned no skill");
        await insertVersion(tx, created.id, versionHash, document, scope.userId);
        await recordAudit(tx, {
          tenantId: scope.tenantId,
          ...scope.audit,
          action: "skill.create",
          target: { type: "skill", id: created.id },
          metadata: {
            name: document.name,
            slug: draft.slug,
            ...(scope.via && { via: scope.via }),
            changes: auditChanges(null, audited({ ...document, versionHash }), AUDITED_FIELDS),
          },
        });
        return { id: created.id, slug: draft.slug, versionHash, changed: true };
      }
      const [current] = await tx
        .select()
        .from(skills)
        .where(ownLiveSkill(scope.tenantId, draft.skillId))
        .for("update");
      if (!current) throw new TenantSkillNotFoundError(draft.skillId);
      assertVersionExpected(current.versionHash, draft);
      if (current.versionHash === versionHash && current.slug === draft.slug)
        return { id: current.id, slug: current.slug, versionHash, changed: false };
      await tx
        .update(skills)
        .set({ ...columns, slug: draft.slug, updatedAt: sql`now()` })
        .where(eq(skills.id, current.id));
      if (current.versionHash !== versionHash)
        await insertVersion(tx, current.id, versionHash, document, scope.userId);
      await recordAudit(tx, {
        tenantId: scope.tenantId,
        ...scope.audit,
        action: "skill.update",
        target: { type: "skill", id: current.id },
        metadata: {
          name: document.name,
          slug: draft.slug,
          ...(scope.via && { via: scope.via }),
          changes: auditChanges(
            { ...audited(current), slug: current.slug },
            { ...audited({ ...document, versionHash }), slug: draft.slug },
            { slug: "Slug", ...AUDITED_FIELDS },
          ),
        },
      });
      return { id: current.id, slug: draft.slug, versionHash, changed: true };
    });
  } catch (error) {
    if (isUniqueViolation(error, "skills_tenant_slug_key"))
      throw new SkillSlugTakenError(draft.slug);
    throw error;
  }
}

/** The tenant's own skill (never a built-in), unless deleted. */
export const ownLiveSkill = (tenantId: string, skillId: string) =>
  and(eq(skills.id, skillId), eq(skills.tenantId, tenantId), isNull(skills.deletedAt));
