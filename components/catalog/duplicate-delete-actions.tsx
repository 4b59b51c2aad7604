"use client";

import { Copy, Trash2 } from "lucide-react";
import { useState } from "react";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { Button } from "@/components/ui/button";

/**
 * Duplicate and Delete on a catalog row's page; Delete asks first, saying what the deletion
 * touches (`deleteDescription`). `what` is the row's kind in lower case ("template").
 */
export function DuplicateDeleteActions({
  what,
  name,
  deleteDescription,
  onDuplicate,
  duplicating,
  onDelete,
  deleting,
}: {
  what: string;
  name: string;
  deleteDescription: string;
  onDuplicate: () => void;
  duplicating: boolean;
  onDelete: () => void;
  deleting: boolean;
}) {
  const [confirmDelete, setConfirmDelete] = useState(false);
  return (
    <>
      <Button variant="outline" onClick={onDuplicate} disabled={duplicating}>
        <Copy aria-hidden />
        Duplicate
      </Button>
      <Button variant="outline" onClick={() => setConfirmDelete(true)}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete ${name}?`}
        description={deleteDescription}
        cancelLabel={`Keep ${what}`}
        confirmLabel={`Delete ${what}`}
        pending={deleting}
        onConfirm={() => {
          setConfirmDelete(false);
          onDelete();
        }}
      />
    </>
  );
}
