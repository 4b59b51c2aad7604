import "server-only";
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { and, eq, isNull, notInArray, sql } from "drizzle-orm";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { TITLE_KEYWORD } from "@/lib/skill-inputs";
import type { Database } from "@/server/db/client";
import {
  skills,
  skillVersions,
  type SkillInputsSchema,
  type SkillReferenceFile,
} from "@/server/db/schema";
import { createInputsValidator } from "./skill-inputs-schema";
import { inputsColumnsOf } from "./skills";

/**
 * The built-in catalog: `skills/<slug>/SKILL.md` (YAML frontmatter + markdown instructions)
 * and optional `references/*.md`. Loading validates everything and fails with the file and
 * the field at fault; syncing upserts the global catalog.
 */

export class SkillDefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly field: string | null,
    readonly detail: string,
    /** Every issue found, the first one included: the skill editor shows them all at once. */
    readonly issues: { field: string | null; detail: string }[] = [{ field, detail }],
  ) {
    super(field ? `${file}: frontmatter field "${field}": ${detail}` : `${file}: ${detail}`);
    this.name = "SkillDefinitionError";
  }
}

export type SkillDefinition = {
  slug: string;
  name: string;
  description: string;
  inputsSchema: SkillInputsSchema;
  /** Derived from inputsSchema for the run lists (see lib/skill-inputs/summary.ts). */
  summaryOrder: string[];
  titleInput: string | null;
  instructions: string;
  referenceFiles: SkillReferenceFile[];
  versionHash: string;
};

export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const INPUT_TYPES = ["string", "number", "integer", "boolean", "array"] as const;

const inputPropertySchema = z.looseObject({
  type: z.enum(INPUT_TYPES, { error: `must be one of ${INPUT_TYPES.join(", ")}` }),
  title: z.string({ error: "is required (a label for the form)" }).min(1),
  description: z.string().optional(),
  [TITLE_KEYWORD]: z
    .never({ error: `belongs on inputs, naming the input (${TITLE_KEYWORD}: <input name>)` })
    .optional(),
});

const frontmatterSchema = z.strictObject({
  name: z.string({ error: "is required" }).trim().min(1).max(100),
  description: z.string({ error: "is required" }).trim().min(1).max(500),
  inputs: z.looseObject({
    type: z.literal("object", { error: 'must be "object"' }),
    properties: z.record(
      z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]*$/, "input names are letters, digits and _"),
      inputPropertySchema,
    ),
    required: z.array(z.string()).optional(),
    [TITLE_KEYWORD]: z.string({ error: "must name one of inputs.properties" }).optional(),
    // The validator refuses undeclared inputs for every skill (lib/skill-inputs); a schema may not say otherwise.
    additionalProperties: z
      .literal(false, {
        error: "may only be false: inputs a skill does not declare are always refused",
      })
      .optional(),
    patternProperties: z
      .never({ error: "is not supported: declare each input under properties" })
      .optional(),
  }),
});

const FRONTMATTER_PATTERN = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/;

export function parseSkillFile(file: string, source: string) {
  const match = FRONTMATTER_PATTERN.exec(source);
  if (!match)
    throw new SkillDefinitionError(file, null, "must start with a --- YAML frontmatter block ---");
  const [, yamlText = "", body = ""] = match;

  let frontmatter: unknown;
  try {
    frontmatter = parseYaml(yamlText);
  } catch (error) {
    const detail = error instanceof YAMLParseError ? error.message.split("\n")[0] : String(error);
    throw new SkillDefinitionError(file, null, `frontmatter is not valid YAML: ${detail}`);
  }

  const parsed = frontmatterSchema.safeParse(frontmatter ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      field: issue.path.length ? issue.path.join(".") : null,
      detail: issue.message,
    }));
    const [first] = issues;
    throw new SkillDefinitionError(
      file,
      first?.field ?? null,
      first?.detail ?? "is invalid",
      issues,
    );
  }
  const { inputs } = parsed.data;
  for (const name of inputs.required ?? []) {
    if (!(name in inputs.properties)) {
      throw new SkillDefinitionError(
        file,
        "inputs.required",
        `names "${name}", which is not in inputs.properties`,
      );
    }
  }
  const titleInput = inputs[TITLE_KEYWORD];
  if (titleInput !== undefined) {
    const property = inputs.properties[titleInput];
    if (!property)
      throw new SkillDefinitionError(
        file,
        `inputs.${TITLE_KEYWORD}`,
        `names "${titleInput}", which is not in inputs.properties`,
      );
    if (property.type !== "string") {
      throw new SkillDefinitionError(
        file,
        `inputs.${TITLE_KEYWORD}`,
        `names "${titleInput}", ${property.type === "integer" || property.type === "array" ? "an" : "a"} ${property.type} input; a title must be a string input`,
      );
    }
  }
  try {
    createInputsValidator().compile(inputs);
  } catch (error) {
    throw new SkillDefinitionError(
      file,
      "inputs",
      `is not a valid JSON Schema: ${(error as Error).message}`,
    );
  }

  const instructions = body.trim();
  if (!instructions)
    throw new SkillDefinitionError(file, null, "has no instructions after the frontmatter");
  return { ...parsed.data, inputsSchema: inputs as SkillInputsSchema, instructions };
}

/**
 * Orders paths by UTF-16 code unit, never by locale: the version hash covers the reference files
 * in this order, so it must be the same on every server whatever its locale.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function readReferenceFiles(skillDir: string): Promise<SkillReferenceFile[]> {
  const referencesDir = path.join(skillDir, "references");
  const entries = await readdir(referencesDir, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => entry.name)
    .sort(byCodeUnit);
  return Promise.all(
    files.map(async (name) => ({
      path: `references/${name}`,
      content: await readFile(path.join(referencesDir, name), "utf8"),
    })),
  );
}

/** A version's hash: its SKILL.md text and its reference files (sorted by path), so equal content is an equal hash. */
export function versionHashOf(skillMd: string, referenceFiles: SkillReferenceFile[]): string {
  const hash = createHash("sha256").update("SKILL.md\0").update(skillMd);
  for (const file of referenceFiles) hash.update(`\0${file.path}\0`).update(file.content);
  return hash.digest("hex").slice(0, 12);
}

export async function loadSkillFolder(catalogDir: string, slug: string): Promise<SkillDefinition> {
  const skillDir = path.join(catalogDir, slug);
  const file = path.join(path.basename(catalogDir), slug, "SKILL.md");
  if (!SLUG_PATTERN.test(slug)) {
    throw new SkillDefinitionError(
      file,
      null,
      "folder name must be a lowercase slug (a-z, 0-9, -)",
    );
  }
  const source = await readFile(path.join(skillDir, "SKILL.md"), "utf8").catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new SkillDefinitionError(file, null, "is missing");
      throw error;
    },
  );
  const parsed = parseSkillFile(file, source);
  const referenceFiles = await readReferenceFiles(skillDir);
  return {
    slug,
    name: parsed.name,
    description: parsed.description,
    ...inputsColumnsOf(parsed.inputsSchema),
    instructions: parsed.instructions,
    referenceFiles,
    versionHash: versionHashOf(source, referenceFiles),
  };
}

export async function loadSkillCatalog(catalogDir: string): Promise<SkillDefinition[]> {
  const entries = await readdir(catalogDir, { withFileTypes: true });
  const slugs = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort(byCodeUnit);
  return Promise.all(slugs.map((slug) => loadSkillFolder(catalogDir, slug)));
}

/**
 * Upserts the built-in catalog as global skills. A built-in skill whose folder is gone is
 * disabled, not deleted: past runs still point at it.
 */
export async function syncBuiltInSkills(db: Database, catalogDir: string) {
  const definitions = await loadSkillCatalog(catalogDir);
  return db.transaction(async (tx) => {
    for (const definition of definitions) {
      await tx
        .insert(skills)
        .values({ ...definition, tenantId: null, origin: "builtin", enabled: true })
        .onConflictDoUpdate({
          target: skills.slug,
          targetWhere: sql`${skills.tenantId} is null`,
          set: { ...definition, enabled: true, updatedAt: sql`now()` },
          // The derived columns too: a skill stored before they existed, or before their rules changed, is brought up to date.
          setWhere: sql`${skills.versionHash} <> excluded.version_hash or not ${skills.enabled} or ${skills.inputsSchema}::text <> excluded.inputs_schema::text
            or ${skills.summaryOrder} is distinct from excluded.summary_order or ${skills.titleInput} is distinct from excluded.title_input`,
        });
    }
    // Each built-in version seen for the first time joins the skill's history (runs pin it).
    await tx.execute(sql`
      insert into ${skillVersions} (skill_id, version_hash, name, description, inputs_schema, instructions, reference_files)
      select ${skills.id}, ${skills.versionHash}, ${skills.name}, ${skills.description}, ${skills.inputsSchema}, ${skills.instructions}, ${skills.referenceFiles}
      from ${skills}
      where ${skills.tenantId} is null and not exists (
        select 1 from ${skillVersions}
        where ${skillVersions.skillId} = ${skills.id} and ${skillVersions.versionHash} = ${skills.versionHash}
      )`);
    const retired = await tx
      .update(skills)
      .set({ enabled: false })
      .where(
        and(
          isNull(skills.tenantId),
          eq(skills.enabled, true),
          definitions.length
            ? notInArray(
                skills.slug,
                definitions.map((definition) => definition.slug),
              )
            : undefined,
        ),
      )
      .returning({ slug: skills.slug });
    return { loaded: definitions.length, retired: retired.map((skill) => skill.slug) };
  });
}
