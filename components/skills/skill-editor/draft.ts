import type { SkillDraft } from "@/lib/schemas/skills";
import type { InputsSchema } from "@/lib/skill-inputs";
import type { EditedReferenceFile } from "./reference-files-field";

/** The editor's state: the schema as the text being typed, the slug derived until edited. */
export type EditorState = {
  name: string;
  slug: string;
  slugEdited: boolean;
  description: string;
  instructions: string;
  schemaText: string;
  referenceFiles: EditedReferenceFile[];
};

export type FieldErrorMap = Record<string, string[]>;

export const NEW_SKILL_SCHEMA = `{
  "type": "object",
  "required": ["topic"],
  "properties": {
    "topic": { "type": "string", "title": "Topic" }
  }
}`;

/** `Weekly Sales Report!` → `weekly-sales-report`, as the slug rule wants it. */
export function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

/** The schema text as an object, or the reason it is not one. */
export function parseSchema(text: string): { schema: InputsSchema } | { error: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return { error: "/: must be a JSON object" };
    return { schema: parsed as InputsSchema };
  } catch (error) {
    return {
      error: `is not valid JSON: ${error instanceof Error ? error.message : "parse error"}`,
    };
  }
}

/** What the server is sent, or null while the schema text is not a JSON object. */
export function draftOf(state: EditorState): SkillDraft | null {
  const parsed = parseSchema(state.schemaText);
  if ("error" in parsed) return null;
  return {
    name: state.name,
    slug: state.slug,
    description: state.description,
    instructions: state.instructions,
    inputsSchema: parsed.schema,
    referenceFiles: state.referenceFiles.map(({ path, content }) => ({ path, content })),
  };
}

/** The server's field errors, whether keyed by field (create) or under `skill` (update). */
export function normalizeErrors(errors: FieldErrorMap): FieldErrorMap {
  return Object.fromEntries(
    Object.entries(errors).map(([key, messages]) => [key.replace(/^skill\./, ""), messages]),
  );
}

const FIELD_STATE: Record<string, keyof EditorState> = {
  name: "name",
  slug: "slug",
  description: "description",
  instructions: "instructions",
  inputsSchema: "schemaText",
  referenceFiles: "referenceFiles",
};

/**
 * The errors to show: before the first save attempt, only those of fields the admin changed
 * (a new skill's empty fields are not wrong yet); after it (`edits` null), all of them.
 */
export function errorsToShow(
  errors: FieldErrorMap,
  edits: { state: EditorState; initial: EditorState } | null,
): FieldErrorMap {
  if (!edits) return errors;
  return Object.fromEntries(
    Object.entries(errors).filter(([key]) => {
      const field = FIELD_STATE[key];
      return !field || JSON.stringify(edits.state[field]) !== JSON.stringify(edits.initial[field]);
    }),
  );
}
