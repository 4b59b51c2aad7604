"use client";

import { LoaderCircle } from "lucide-react";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";

/**
 * A dialog form's Cancel and submit buttons; submit spins while `pending` and is off then, or
 * while the form is not ready (`disabled`).
 */
export function FormDialogFooter({
  onCancel,
  pending,
  disabled = false,
  submitLabel,
}: {
  onCancel: () => void;
  pending: boolean;
  disabled?: boolean;
  submitLabel: string;
}) {
  return (
    <DialogFooter>
      <Button type="button" variant="outline" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" disabled={pending || disabled}>
        {pending && <LoaderCircle aria-hidden className="animate-spin" />}
        {submitLabel}
      </Button>
    </DialogFooter>
  );
}
