import { z } from "zod";
import { MAX_SAVED_VIEW_NAME_CHARS } from "@/lib/saved-views";
import { parseViewQuery } from "@/lib/saved-view-query";

const viewName = z
  .string()
  .trim()
  .min(1, "Name the view.")
  .max(MAX_SAVED_VIEW_NAME_CHARS, `Keep the name to ${MAX_SAVED_VIEW_NAME_CHARS} characters.`);

/** A history URL's query (with or without `?`), stored in its canonical form; see parseViewQuery. */
const viewQuery = z.string().transform((raw, context) => {
  const parsed = parseViewQuery(raw);
  if (parsed.ok) return parsed.query;
  context.addIssue({ code: "custom", message: parsed.problem });
  return z.NEVER;
});

export const createSavedViewInput = z.object({
  name: viewName,
  query: viewQuery,
  /** Shared with every member of the tenant (operators and above), or the creator's alone. */
  shared: z.boolean().default(false),
});
export type CreateSavedViewInput = z.infer<typeof createSavedViewInput>;

export const updateSavedViewInput = z.object({
  viewId: z.uuid(),
  name: viewName.optional(),
  query: viewQuery.optional(),
  shared: z.boolean().optional(),
});
export type UpdateSavedViewInput = z.infer<typeof updateSavedViewInput>;

export const deleteSavedViewInput = z.object({ viewId: z.uuid() });
