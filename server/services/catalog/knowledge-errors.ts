import "server-only";
import { ServiceError } from "@/server/services/errors";

export class KnowledgeBaseNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "knowledge_base_not_found";
  constructor(knowledgeBaseId: string) {
    super(`Knowledge base ${knowledgeBaseId} was not found.`);
  }
}

export class KbDocumentNotFoundError extends ServiceError {
  readonly kind = "not_found";
  readonly code = "kb_document_not_found";
  constructor(documentId: string) {
    super(`Document ${documentId} was not found.`);
  }
}

export class KnowledgeBaseNameTakenError extends ServiceError {
  readonly kind = "conflict";
  readonly code = "knowledge_base_name_taken";
  override readonly fieldErrors: Record<string, string[]>;
  constructor(name: string) {
    super(`A knowledge base named "${name}" already exists.`);
    this.fieldErrors = { name: ["is already the name of another knowledge base"] };
  }
}

/** An upload refused as a whole: each refused file named with its reason; nothing was stored. */
export class DocumentsRefusedError extends ServiceError {
  readonly kind = "invalid";
  readonly code = "documents_refused";
  override readonly fieldErrors: Record<string, string[]>;
  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? `Nothing was uploaded. ${problems[0]}`
        : `Nothing was uploaded; ${problems.length} problems: ${problems.join(" ")}`,
    );
    this.fieldErrors = { files: problems };
  }
}
