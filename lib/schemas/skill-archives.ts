import { z } from "zod";

/**
 * A skill travels as a zip in the Agent Skills layout (`<slug>/SKILL.md`, `<slug>/references/*.md`).
 * The zip rides base64 in one tRPC request, whose body is capped at 1 MB (lib/trpc-limits.ts), so
 * a zip may be at most 512 KB (~683 KB as base64). Markdown compresses about four to one, which
 * holds the largest skill the loader accepts (100,000 characters of instructions, 20 reference
 * files of 100,000).
 */
export const MAX_SKILL_ARCHIVE_BYTES = 512 * 1024;
/** What the zip may unpack to, counted while inflating: a small zip can claim gigabytes. */
export const MAX_SKILL_ARCHIVE_UNPACKED_BYTES = 5 * 1024 * 1024;
/** Entries in the zip, folders and skipped system files included. */
export const MAX_SKILL_ARCHIVE_ENTRIES = 50;

const MAX_ARCHIVE_BASE64_CHARS = Math.ceil(MAX_SKILL_ARCHIVE_BYTES / 3) * 4;

const archive = z
  .base64({ error: "must be a zip file" })
  .min(1, { error: "is empty" })
  .max(MAX_ARCHIVE_BASE64_CHARS, {
    error: `is over ${MAX_SKILL_ARCHIVE_BYTES / 1024} KB, the most a skill zip may be`,
  });

/** Blank means: the zip's folder name. */
const chosenSlug = z.string().trim().max(64).optional();

export const exportSkillArchiveInput = z.object({
  slug: z.string().min(1).max(200),
  /** A saved version of the skill; its current version when left out. */
  versionHash: z.string().min(1).max(64).optional(),
});

export const previewSkillImportInput = z.object({ archive, slug: chosenSlug });

export const importSkillArchiveInput = z.object({
  archive,
  slug: chosenSlug,
  /** Save over the tenant's skill with this slug, whose current version the preview showed. */
  replace: z.object({ versionHash: z.string().min(1).max(64) }).optional(),
});

export type ImportSkillArchiveInput = z.infer<typeof importSkillArchiveInput>;
