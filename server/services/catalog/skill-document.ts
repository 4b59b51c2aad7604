import "server-only";
import { stringify } from "yaml";
import type { SkillInputsSchema, SkillReferenceFile } from "@/server/db/schema";
import {
  byCodeUnit,
  parseSkillFile,
  SkillDefinitionError,
  SLUG_PATTERN,
  versionHashOf,
} from "./skill-catalog";

/**
 * A skill as the console writes it and an Agent Skills folder carries it: `SKILL.md` (YAML
 * frontmatter `name`, `description` and Skillrun's `inputs`, then the instructions) plus
 * `references/*.md`. A tenant skill is stored in the canonical text `renderSkillMd` writes, so
 * the same content always has the same version hash, whoever saved it and however an imported
 * file was formatted.
 */
export type SkillDocument = {
  name: string;
  description: string;
  inputsSchema: SkillInputsSchema;
  instructions: string;
  referenceFiles: SkillReferenceFile[];
};

/** The canonical SKILL.md of a skill: frontmatter in a fixed key order, instructions trimmed. */
export function renderSkillMd(document: Omit<SkillDocument, "referenceFiles">): string {
  const frontmatter = stringify(
    { name: document.name, description: document.description, inputs: document.inputsSchema },
    { lineWidth: 0 },
  );
  return `---\n${frontmatter}---\n\n${document.instructions.trim()}\n`;
}

const REFERENCE_PATH = /^references\/[A-Za-z0-9][A-Za-z0-9._-]*\.md$/;
export const MAX_REFERENCE_FILES = 20;
export const MAX_REFERENCE_FILE_CHARS = 100_000;
export const MAX_INSTRUCTIONS_CHARS = 100_000;

/** What is wrong with each field of a skill, keyed as the skill form names its fields. */
export type SkillFieldErrors = Partial<
  Record<
    "slug" | "name" | "description" | "inputsSchema" | "instructions" | "referenceFiles",
    string[]
  >
>;

/** `inputs.properties.topic.title` → `/properties/topic/title`: where in the inputs schema. */
function inputsPointer(field: string): string {
  return `/${field.split(".").slice(1).join("/")}`;
}

function fieldErrorOf(field: string | null, detail: string): [keyof SkillFieldErrors, string] {
  if (field === "name" || field === "description") return [field, detail];
  if (field?.startsWith("inputs")) {
    const pointer = inputsPointer(field);
    return ["inputsSchema", pointer === "/" ? detail : `${pointer}: ${detail}`];
  }
  if (detail.startsWith("has no instructions")) return ["instructions", "are required"];
  return ["instructions", detail];
}

/** Every issue the loader found, each on its field (schema issues with their JSON pointer). */
function fieldErrorsOf(error: SkillDefinitionError): SkillFieldErrors {
  const errors: SkillFieldErrors = {};
  for (const issue of error.issues) {
    const [key, message] = fieldErrorOf(issue.field, issue.detail);
    errors[key] = [...(errors[key] ?? []), message];
  }
  return errors;
}

/**
 * The checks a saved skill passes, with the catalog loader's rules (the same strict Ajv, the
 * same frontmatter schema): field errors, or the canonical text and its version hash.
 */
export function checkSkillDocument(
  slug: string,
  document: SkillDocument,
):
  { errors: SkillFieldErrors } | { skillMd: string; versionHash: string; document: SkillDocument } {
  const errors: SkillFieldErrors = {};
  if (!SLUG_PATTERN.test(slug) || slug.length > 64)
    errors.slug = [
      "must be lowercase letters, digits and single hyphens (a-z, 0-9, -), at most 64",
    ];
  if (document.instructions.length > MAX_INSTRUCTIONS_CHARS)
    errors.instructions = [
      `are longer than ${MAX_INSTRUCTIONS_CHARS.toLocaleString("en")} characters`,
    ];
  const referenceErrors = referenceFileErrors(document.referenceFiles);
  if (referenceErrors.length) errors.referenceFiles = referenceErrors;
  let parsed: ReturnType<typeof parseSkillFile> | null = null;
  try {
    parsed = parseSkillFile(`${slug}/SKILL.md`, renderSkillMd(document));
  } catch (error) {
    if (!(error instanceof SkillDefinitionError)) throw error;
    Object.assign(errors, { ...fieldErrorsOf(error), ...errors });
  }
  if (!parsed || Object.keys(errors).length) return { errors };
  // The text is rendered again from what the loader read back (trimmed, in its key order), so
  // saving the same content twice always gives the same text and hash.
  const normalized: SkillDocument = {
    name: parsed.name,
    description: parsed.description,
    inputsSchema: parsed.inputsSchema,
    instructions: parsed.instructions,
    referenceFiles: [...document.referenceFiles].sort((a, b) => byCodeUnit(a.path, b.path)),
  };
  const canonical = renderSkillMd(normalized);
  return {
    skillMd: canonical,
    versionHash: versionHashOf(canonical, normalized.referenceFiles),
    document: normalized,
  };
}

function referenceFileErrors(files: SkillReferenceFile[]): string[] {
  const errors: string[] = [];
  if (files.length > MAX_REFERENCE_FILES)
    errors.push(`at most ${MAX_REFERENCE_FILES} reference files (${files.length} given)`);
  const seen = new Set<string>();
  for (const file of files) {
    if (!REFERENCE_PATH.test(file.path))
      errors.push(`${file.path}: must be references/<name>.md (letters, digits, . _ -)`);
    else if (seen.has(file.path)) errors.push(`${file.path}: is given twice`);
    if (file.content.length > MAX_REFERENCE_FILE_CHARS)
      errors.push(
        `${file.path}: is longer than ${MAX_REFERENCE_FILE_CHARS.toLocaleString("en")} characters`,
      );
    seen.add(file.path);
  }
  return errors;
}
