import { z } from "zod";
import type { InputsSchema } from "@/lib/skill-inputs";

const skillId = z.object({ skillId: z.uuid() });

export const getSkillInput = z.object({ slug: z.string().min(1).max(200) });
export const listSkillsInput = z
  .object({ includeDisabled: z.boolean().optional() })
  .optional()
  .default({});

/** What a skill is as its editor writes it; the service checks it with the catalog loader's rules. */
export const skillDraft = z.object({
  slug: z.string().trim().min(1, "is required").max(64, "is at most 64 characters"),
  name: z.string().trim().min(1, "is required").max(120, "is at most 120 characters"),
  description: z.string().trim().min(1, "is required").max(1_000, "is at most 1,000 characters"),
  // Any JSON object: what a valid inputs schema is, the service says with the JSON pointer.
  inputsSchema: z.custom<InputsSchema>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    "must be a JSON object",
  ),
  instructions: z.string().max(100_000, "are longer than 100,000 characters"),
  referenceFiles: z
    .array(z.object({ path: z.string().max(200), content: z.string().max(100_000) }))
    .max(20, "at most 20 reference files"),
});
export type SkillDraft = z.infer<typeof skillDraft>;

export const createSkillInput = skillDraft;
export const updateSkillInput = skillId.extend({ skill: skillDraft });
/**
 * The unsaved draft, with the skill it would be a version of (none: a new skill). Checked
 * loosely here: an empty name while typing is a field error in the answer, not a refusal.
 */
export const validateSkillInput = z.object({
  skillId: z.uuid().optional(),
  skill: skillDraft.extend({
    slug: z.string().max(200),
    name: z.string().max(1_000),
    description: z.string().max(10_000),
    instructions: z.string().max(200_000),
    referenceFiles: z
      .array(z.object({ path: z.string().max(1_000), content: z.string().max(200_000) }))
      .max(100),
  }),
});
export const listSkillVersionsInput = skillId;
export const getSkillVersionInput = skillId.extend({
  versionHash: z.string().min(1).max(128),
});
export const setSkillEnabledInput = skillId.extend({ enabled: z.boolean() });
export const deleteSkillInput = skillId;
export const duplicateSkillInput = skillId.extend({
  slug: z.string().trim().min(1).max(64).optional(),
});
