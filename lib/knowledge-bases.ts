/**
 * The limits of a knowledge base, shared by the upload form (which checks them before sending)
 * and the service (which enforces them), and the number of hits a search returns.
 */

/** One uploaded file, as sent (a PDF is counted before its text is extracted). */
export const MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;
export const MAX_DOCUMENTS_PER_KNOWLEDGE_BASE = 200;
export const MAX_FILES_PER_UPLOAD = 10;
/**
 * The body of one upload request: every file at its limit, plus room for the multipart framing.
 * Only the upload procedure may send more than the usual tRPC body (server/trpc/http-handler.ts).
 */
export const MAX_UPLOAD_BODY_BYTES = MAX_FILES_PER_UPLOAD * MAX_DOCUMENT_BYTES + 256 * 1024;
/** The upload procedure's path, the one tRPC call sent as multipart form data. */
export const UPLOAD_DOCUMENTS_PATH = "knowledgeBases.upload";

/**
 * How many hits `search_knowledge_base` returns when the model does not ask for a number, and so
 * how many the console's search box shows: the box answers what the agent would get.
 */
export const KNOWLEDGE_SEARCH_LIMIT = 5;

export const DOCUMENT_KINDS = ["markdown", "text", "pdf"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** File name endings accepted, and what each is read as. */
export const DOCUMENT_KIND_OF_EXTENSION: Readonly<Record<string, DocumentKind>> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".pdf": "pdf",
};

/** For the file picker's `accept` and the messages that name what may be uploaded. */
export const ACCEPTED_DOCUMENT_EXTENSIONS = Object.keys(DOCUMENT_KIND_OF_EXTENSION);

/** The ending of a file name, lower-cased, with its dot ("" when there is none). */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf(".");
  return dot > 0 ? fileName.slice(dot).toLowerCase() : "";
}

/** "2 MB", "2.1 MB": a file's size rounded up, so a file just over a limit never reads as at it. */
export const formatMegabytes = (bytes: number) =>
  `${Math.ceil((bytes / (1024 * 1024)) * 10) / 10} MB`;

/**
 * What is wrong with a file before it is sent, or null: the same size and type rules the server
 * applies, so the form can name the file at once.
 */
export function uploadProblem(file: { name: string; size: number }): string | null {
  if (!DOCUMENT_KIND_OF_EXTENSION[extensionOf(file.name)])
    return `${file.name}: this type of file is not supported; upload Markdown (.md), text (.txt) or PDF (.pdf).`;
  if (file.size > MAX_DOCUMENT_BYTES)
    return `${file.name}: ${formatMegabytes(file.size)} is over the ${formatMegabytes(MAX_DOCUMENT_BYTES)} limit per file.`;
  if (file.size === 0) return `${file.name}: the file is empty.`;
  return null;
}

/** An upload's body: the knowledge base's id and one `files` entry per file (tRPC sends it as multipart). */
export function uploadDocumentsForm(knowledgeBaseId: string, files: readonly File[]): FormData {
  const form = new FormData();
  form.set("knowledgeBaseId", knowledgeBaseId);
  for (const file of files) form.append("files", file, file.name);
  return form;
}
