import "server-only";
import { createTwoFilesPatch } from "diff";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import type { ImportSkillArchiveInput } from "@/lib/schemas/skill-archives";
import type { Database } from "@/server/db/client";
import { skills, skillVersions, type SkillReferenceFile } from "@/server/db/schema";
import { ServiceError } from "@/server/services/errors";
import { SkillNotFoundError } from "@/server/services/runs/run-errors";
import {
  readSkillArchive,
  writeSkillArchive,
  type SkillArchiveContents,
} from "./skill-archive-zip";
import { parseSkillFile, SkillDefinitionError } from "./skill-catalog";
import { checkSkillDocument, renderSkillMd, type SkillDocument } from "./skill-document";
import {
  saveSkill,
  SkillInvalidError,
  SkillSlugTakenError,
  SkillVersionNotFoundError,
  type SkillSaveScope,
} from "./skill-versions";
import { ownSkillFirst } from "./skills";

export class SkillToReplaceNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "skill_not_found";
  constructor(slug: string) {
    super(`This tenant has no skill "${slug}" to replace.`);
  }
}

/** A skill the tenant sees, even a disabled one of its own: the tenant's own first, then a built-in. */
const exportableBy = (tenantId: string) =>
  or(
    and(isNull(skills.tenantId), eq(skills.enabled, true)),
    and(eq(skills.tenantId, tenantId), isNull(skills.deletedAt)),
  );

/** A skill the tenant sees (its own, or a built-in), as a zip in the Agent Skills layout. */
export async function exportSkillArchive(
  db: Database,
  tenantId: string,
  request: { slug: string; versionHash?: string },
) {
  const [skill] = await db
    .select()
    .from(skills)
    .where(and(exportableBy(tenantId), eq(skills.slug, request.slug)))
    .orderBy(ownSkillFirst)
    .limit(1);
  if (!skill) throw new SkillNotFoundError(request.slug);
  let version: SkillDocument & { versionHash: string } = skill;
  if (request.versionHash && request.versionHash !== skill.versionHash) {
    const [saved] = await db
      .select()
      .from(skillVersions)
      .where(
        and(
          eq(skillVersions.skillId, skill.id),
          eq(skillVersions.versionHash, request.versionHash),
        ),
      )
      .orderBy(desc(skillVersions.createdAt))
      .limit(1);
    if (!saved) throw new SkillVersionNotFoundError(request.versionHash);
    version = saved;
  }
  const archive = writeSkillArchive(skill.slug, renderSkillMd(version), version.referenceFiles);
  return {
    fileName: `${skill.slug}.zip`,
    versionHash: version.versionHash,
    archive: Buffer.from(archive).toString("base64"),
  };
}

/** Something wrong with one file of the zip, or with the slug (file null); field as the frontmatter names it. */
export type SkillImportProblem = { file: string | null; field: string | null; message: string };

type ReadSkill =
  | { problems: SkillImportProblem[] }
  | { slug: string; document: SkillDocument; skillMd: string; versionHash: string };

const FIELD_FILES: Record<string, { file: string; field: string | null }> = {
  name: { file: "SKILL.md", field: "name" },
  description: { file: "SKILL.md", field: "description" },
  inputsSchema: { file: "SKILL.md", field: "inputs" },
  instructions: { file: "SKILL.md", field: null },
  referenceFiles: { file: "references/", field: null },
};

/** The skill a zip holds, checked with the catalog loader's rules, or what is wrong with it. */
function skillOf(contents: SkillArchiveContents, chosenSlug: string | undefined): ReadSkill {
  const slug = chosenSlug || contents.folder;
  if (!slug)
    return {
      problems: [
        {
          file: null,
          field: "slug",
          message: "SKILL.md is at the top of the zip, not in a folder: choose a slug",
        },
      ],
    };
  let parsed: ReturnType<typeof parseSkillFile>;
  try {
    parsed = parseSkillFile("SKILL.md", contents.skillMd);
  } catch (error) {
    if (!(error instanceof SkillDefinitionError)) throw error;
    return { problems: [{ file: "SKILL.md", field: error.field, message: error.detail }] };
  }
  const checked = checkSkillDocument(slug, { ...parsed, referenceFiles: contents.referenceFiles });
  if ("errors" in checked)
    return {
      problems: Object.entries(checked.errors).flatMap(([key, messages]) =>
        messages.map((message) =>
          key === "slug"
            ? { file: null, field: "slug", message: `"${slug}" ${message}` }
            : { ...(FIELD_FILES[key] ?? { file: null, field: key }), message },
        ),
      ),
    };
  return {
    slug,
    document: checked.document,
    skillMd: checked.skillMd,
    versionHash: checked.versionHash,
  };
}

/** A unified diff of two versions, file by file (SKILL.md, then each reference file). */
function versionDiff(before: SkillDocument, after: SkillDocument): string {
  const filesOf = (document: SkillDocument) =>
    new Map<string, string>([
      ["SKILL.md", renderSkillMd(document)],
      ...document.referenceFiles.map(
        (file: SkillReferenceFile) => [file.path, file.content] as const,
      ),
    ]);
  const [old, next] = [filesOf(before), filesOf(after)];
  const paths = [...new Set([...old.keys(), ...next.keys()])];
  return paths
    .filter((path) => old.get(path) !== next.get(path))
    .map((path) =>
      createTwoFilesPatch(
        old.has(path) ? `a/${path}` : "/dev/null",
        next.has(path) ? `b/${path}` : "/dev/null",
        old.get(path) ?? "",
        next.get(path) ?? "",
        undefined,
        undefined,
        { context: 3 },
      ).replace(/^=+\n/, ""),
    )
    .join("");
}

/** Problems as a form's field errors: the slug's under `slug`, every file's under `archive`. */
function fieldErrorsOf(problems: SkillImportProblem[]): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const { file, field, message } of problems) {
    const key = field === "slug" && !file ? "slug" : "archive";
    const where = [file, field && `frontmatter field "${field}"`].filter(Boolean).join(" ");
    (errors[key] ??= []).push(where ? `${where}: ${message}` : message);
  }
  return errors;
}

async function findOwnSkill(db: Database, tenantId: string, slug: string) {
  const [skill] = await db
    .select()
    .from(skills)
    .where(and(eq(skills.tenantId, tenantId), eq(skills.slug, slug), isNull(skills.deletedAt)))
    .limit(1);
  return skill ?? null;
}

async function builtInExists(db: Database, slug: string) {
  const [skill] = await db
    .select({ id: skills.id })
    .from(skills)
    .where(and(isNull(skills.tenantId), eq(skills.slug, slug)))
    .limit(1);
  return Boolean(skill);
}

/**
 * What importing the zip would save, writing nothing: the skill with its version hash, or the
 * problems per file and field; and when the slug already names one of the tenant's skills, the
 * diff against its current version (an import would save a new version of it).
 */
export async function previewSkillImport(
  db: Database,
  tenantId: string,
  request: { archive: Uint8Array; slug?: string },
) {
  const contents = readSkillArchive(request.archive);
  const read = skillOf(contents, request.slug);
  const preview = {
    folder: contents.folder,
    referenceFiles: contents.referenceFiles.map((file) => file.path),
  };
  if ("problems" in read)
    return {
      ...preview,
      slug: null,
      skill: null,
      problems: read.problems,
      existing: null,
      shadowsBuiltIn: false,
    };
  const existing = await findOwnSkill(db, tenantId, read.slug);
  return {
    ...preview,
    slug: read.slug,
    skill: {
      name: read.document.name,
      description: read.document.description,
      inputsSchema: read.document.inputsSchema,
      versionHash: read.versionHash,
    },
    problems: [],
    existing: existing && {
      name: existing.name,
      versionHash: existing.versionHash,
      unchanged: existing.versionHash === read.versionHash,
      diff: versionDiff(existing, read.document),
    },
    shadowsBuiltIn: !existing && (await builtInExists(db, read.slug)),
  };
}

/**
 * Saves the zip's skill: a new tenant skill, or — when `replace` names the current version the
 * preview showed — a new version of the tenant's skill with that slug. Nothing is written when
 * the zip or its skill is refused.
 */
export async function importSkillArchive(
  db: Database,
  scope: SkillSaveScope,
  request: Omit<ImportSkillArchiveInput, "archive"> & { archive: Uint8Array },
) {
  const read = skillOf(readSkillArchive(request.archive), request.slug);
  if ("problems" in read) throw new SkillInvalidError(fieldErrorsOf(read.problems));
  const existing = await findOwnSkill(db, scope.tenantId, read.slug);
  const save = { ...scope, via: "import" as const };
  if (!request.replace) {
    if (existing) throw new SkillSlugTakenError(read.slug);
    return saveSkill(db, save, { slug: read.slug, ...read.document });
  }
  if (!existing) throw new SkillToReplaceNotFoundError(read.slug);
  return saveSkill(db, save, {
    skillId: existing.id,
    slug: read.slug,
    expectedVersionHash: request.replace.versionHash,
    ...read.document,
  });
}
