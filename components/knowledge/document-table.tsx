"use client";

import { FileText, Trash2 } from "lucide-react";
import { useState } from "react";
import { formatAbsolute } from "@/components/format";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { MAX_DOCUMENTS_PER_KNOWLEDGE_BASE } from "@/lib/knowledge-bases";
import { formatBytes } from "./sizes";

type Document = { id: string; title: string; bytes: number; createdAt: Date };

export function DocumentTable({
  documents,
  canDelete,
}: {
  documents: Document[];
  canDelete: boolean;
}) {
  const trpc = useTRPC();
  const [deleting, setDeleting] = useState<Document | null>(null);
  const remove = useToastMutation(trpc.knowledgeBases.deleteDocument.mutationOptions(), {
    success: (_, { documentId }) =>
      `Deleted ${documents.find((document) => document.id === documentId)?.title ?? "the document"}`,
    invalidate: [trpc.knowledgeBases.pathKey()],
  });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Documents</CardTitle>
        <CardDescription>
          {plural(documents.length, "document")} of {MAX_DOCUMENTS_PER_KNOWLEDGE_BASE}. Sizes are of
          the text the search reads (a PDF&apos;s extracted text).
        </CardDescription>
      </CardHeader>
      <CardContent>
        {documents.length === 0 ? (
          <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-10 text-center">
            <FileText className="text-muted-foreground mb-2 size-6" aria-hidden />
            <p className="font-medium">No documents yet</p>
          </div>
        ) : (
          <DocumentRows documents={documents} onDelete={canDelete ? setDeleting : null} />
        )}
      </CardContent>
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.title ?? "this document"}?`}
        description="Agents will no longer find it. Upload the file again to bring it back."
        cancelLabel="Keep it"
        confirmLabel="Delete document"
        pending={remove.isPending}
        onConfirm={() => {
          if (deleting) remove.mutate({ documentId: deleting.id });
          setDeleting(null);
        }}
      />
    </Card>
  );
}

function DocumentRows({
  documents,
  onDelete,
}: {
  documents: Document[];
  onDelete: ((document: Document) => void) | null;
}) {
  return (
    <Table aria-label="Documents">
      <TableHeader>
        <TableRow>
          <TableHead>Title</TableHead>
          <TableHead>Size</TableHead>
          <TableHead className="hidden sm:table-cell">Uploaded</TableHead>
          {onDelete && (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          )}
        </TableRow>
      </TableHeader>
      <TableBody>
        {documents.map((document) => (
          <TableRow key={document.id}>
            <TableCell className="font-medium break-words">{document.title}</TableCell>
            <TableCell>{formatBytes(document.bytes)}</TableCell>
            <TableCell className="text-muted-foreground hidden sm:table-cell">
              {formatAbsolute(document.createdAt)}
            </TableCell>
            {onDelete && (
              <TableCell className="text-right">
                <Button
                  variant="ghost"
                  size="icon"
                  aria-label={`Delete ${document.title}`}
                  onClick={() => onDelete(document)}
                >
                  <Trash2 aria-hidden />
                </Button>
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
