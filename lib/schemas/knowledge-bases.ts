import { z } from "zod";
import { MAX_FILES_PER_UPLOAD } from "@/lib/knowledge-bases";

const knowledgeBaseId = z.object({ knowledgeBaseId: z.uuid() });

/** What a knowledge base is: the body of create, and of update next to its id. */
export const knowledgeBaseInput = z.object({
  name: z.string().trim().min(1, "is required").max(120, "must be at most 120 characters"),
  description: z.string().trim().max(1000, "must be at most 1,000 characters"),
});
export type KnowledgeBaseInput = z.infer<typeof knowledgeBaseInput>;

export const getKnowledgeBaseInput = knowledgeBaseId;
export const createKnowledgeBaseInput = knowledgeBaseInput;
export const updateKnowledgeBaseInput = knowledgeBaseId.extend({
  knowledgeBase: knowledgeBaseInput,
});
export const deleteKnowledgeBaseInput = knowledgeBaseId;
export const deleteKbDocumentInput = z.object({ documentId: z.uuid() });
export const searchKnowledgeBaseInput = knowledgeBaseId.extend({
  query: z.string().trim().min(1, "is required").max(500, "must be at most 500 characters"),
});

/**
 * An upload: multipart form data with the knowledge base's id and one `files` entry per file
 * (see `uploadDocumentsForm` in lib/knowledge-bases.ts). The files' sizes and types are the service's to check, so it can
 * name each refused file.
 */
export const uploadDocumentsInput = z
  .instanceof(FormData)
  .transform((form) => ({
    knowledgeBaseId: form.get("knowledgeBaseId"),
    files: form.getAll("files"),
  }))
  .pipe(
    z.object({
      knowledgeBaseId: z.uuid(),
      files: z
        .array(z.instanceof(File, { message: "must be files" }))
        .min(1, "Choose at least one file.")
        .max(MAX_FILES_PER_UPLOAD, `Upload at most ${MAX_FILES_PER_UPLOAD} files at a time.`),
    }),
  );
export type UploadDocumentsInput = z.output<typeof uploadDocumentsInput>;
