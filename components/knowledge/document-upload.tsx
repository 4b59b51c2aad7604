"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { AlertCircle, LoaderCircle, Upload, X } from "lucide-react";
import { useRef, useState } from "react";
import { toast } from "sonner";
import { plural } from "@/components/plural";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FileDropZone } from "@/components/shell/file-drop-zone";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  ACCEPTED_DOCUMENT_EXTENSIONS,
  formatMegabytes,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENTS_PER_KNOWLEDGE_BASE,
  MAX_FILES_PER_UPLOAD,
  uploadProblem,
  uploadDocumentsForm,
} from "@/lib/knowledge-bases";
import { formatBytes } from "./sizes";

/** What keeps the chosen files from being sent, each naming its file; the server checks again. */
function problemsOf(files: File[], documentCount: number): string[] {
  const problems = files.flatMap((file) => uploadProblem(file) ?? []);
  if (files.length > MAX_FILES_PER_UPLOAD)
    problems.push(`Upload at most ${MAX_FILES_PER_UPLOAD} files at a time.`);
  const room = MAX_DOCUMENTS_PER_KNOWLEDGE_BASE - documentCount;
  if (files.length > room)
    problems.push(
      `This knowledge base holds ${documentCount} of its ${MAX_DOCUMENTS_PER_KNOWLEDGE_BASE} documents; ${room <= 0 ? "no file" : `only ${room} more`} fits.`,
    );
  return problems;
}

/**
 * Upload by dropping files on the box or choosing them. All the chosen files go in one upload,
 * stored all together or not at all: one refused file refuses the upload, naming it.
 */
export function DocumentUpload({
  knowledgeBaseId,
  documentCount,
}: {
  knowledgeBaseId: string;
  documentCount: number;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [files, setFiles] = useState<File[]>([]);
  const [refused, setRefused] = useState<string[]>([]);
  const upload = useMutation(
    trpc.knowledgeBases.upload.mutationOptions({
      onSuccess: async ({ documents }) => {
        toast.success(`Uploaded ${plural(documents.length, "document")}`);
        setFiles([]);
        await queryClient.invalidateQueries({ queryKey: trpc.knowledgeBases.pathKey() });
      },
      onError: (error) => setRefused(fieldErrorsFrom(error)?.files ?? [error.message]),
    }),
  );
  const choose = (chosen: FileList | null) => {
    // Copied now: the input's FileList is live, and the input is cleared right after.
    const added = Array.from(chosen ?? []);
    if (added.length === 0) return;
    setRefused([]);
    setFiles((current) => [...current, ...added]);
  };
  const problems = [...problemsOf(files, documentCount), ...refused];

  return (
    <Card>
      <CardHeader>
        <CardTitle>Upload documents</CardTitle>
        <CardDescription>
          Markdown, text or PDF, up to {formatMegabytes(MAX_DOCUMENT_BYTES)} each and{" "}
          {MAX_FILES_PER_UPLOAD} at a time. A PDF needs selectable text.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <DropZone onFiles={choose} />
        <ChosenFiles
          files={files}
          onRemove={(index) => {
            setRefused([]);
            setFiles((current) => current.filter((_, at) => at !== index));
          }}
        />
        {problems.length > 0 && (
          <Alert variant="destructive">
            <AlertCircle aria-hidden />
            <AlertTitle>
              {refused.length ? "Nothing was uploaded" : "These files cannot be uploaded"}
            </AlertTitle>
            <AlertDescription>
              <ul className="list-disc pl-4">
                {problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </AlertDescription>
          </Alert>
        )}
        <div className="flex gap-2">
          <Button
            type="button"
            disabled={files.length === 0 || problems.length > 0 || upload.isPending}
            onClick={() => upload.mutate(uploadDocumentsForm(knowledgeBaseId, files))}
          >
            {upload.isPending && <LoaderCircle aria-hidden className="animate-spin" />}
            {files.length > 1 ? `Upload ${files.length} files` : "Upload"}
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

function DropZone({ onFiles }: { onFiles: (files: FileList | null) => void }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <FileDropZone
      onDrop={onFiles}
      className="flex flex-col items-center gap-2 px-6 py-8 text-center"
    >
      <Upload className="text-muted-foreground size-6" aria-hidden />
      <p className="text-sm">Drop files here, or</p>
      <Button type="button" variant="outline" onClick={() => input.current?.click()}>
        Choose files
      </Button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="Document files"
        accept={ACCEPTED_DOCUMENT_EXTENSIONS.join(",")}
        onChange={(event) => {
          onFiles(event.target.files);
          event.target.value = "";
        }}
      />
    </FileDropZone>
  );
}

function ChosenFiles({ files, onRemove }: { files: File[]; onRemove: (index: number) => void }) {
  if (files.length === 0) return null;
  return (
    <ul aria-label="Files to upload" className="flex flex-col gap-1 text-sm">
      {files.map((file, index) => (
        <li key={`${file.name}-${index}`} className="flex items-center gap-2">
          <span className="min-w-0 flex-1 break-all">{file.name}</span>
          <span className="text-muted-foreground">{formatBytes(file.size)}</span>
          <Button
            type="button"
            variant="ghost"
            size="icon"
            aria-label={`Remove ${file.name}`}
            onClick={() => onRemove(index)}
          >
            <X aria-hidden />
          </Button>
        </li>
      ))}
    </ul>
  );
}
