"use client";

import { useId, useState, type FormEvent } from "react";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FieldError } from "@/components/schedules/field-error";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { MAX_SAVED_VIEW_NAME_CHARS } from "@/lib/saved-views";

export type EditedView = { id: string; name: string; shared: boolean };

type Props = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The history query to save (a new view); ignored when renaming `existing`. */
  query: string;
  existing?: EditedView;
  /** Operators and above may share; the server checks it too. */
  canShare: boolean;
};

/** Save the history's current filters as a named view, or rename / (un)share one of the member's own. */
export function SavedViewDialog({ open, onOpenChange, ...form }: Props) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        {/* Mounted while open only, so each opening starts from the saved values. */}
        {open && <SavedViewForm {...form} onDone={() => onOpenChange(false)} />}
      </DialogContent>
    </Dialog>
  );
}

function SavedViewForm({
  query,
  existing,
  canShare,
  onDone,
}: Omit<Props, "open" | "onOpenChange"> & { onDone: () => void }) {
  const trpc = useTRPC();
  const [name, setName] = useState(existing?.name ?? "");
  const [shared, setShared] = useState(existing?.shared ?? false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const ids = { name: useId(), nameError: useId(), queryError: useId() };
  const effects = { invalidate: [trpc.savedViews.list.queryKey()], afterSuccess: onDone };
  const create = useToastMutation(trpc.savedViews.create.mutationOptions(), {
    ...effects,
    success: (view) => `View “${view.name}” saved`,
  });
  const update = useToastMutation(trpc.savedViews.update.mutationOptions(), {
    ...effects,
    success: (view) => `View “${view.name}” updated`,
  });
  const onError = (error: unknown) => {
    const fieldErrors = fieldErrorsFrom(error);
    if (fieldErrors)
      setErrors(
        Object.fromEntries(
          Object.entries(fieldErrors).map(([key, messages]) => [key, messages.join("; ")]),
        ),
      );
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setErrors({ name: "Name the view." });
    setErrors({});
    if (existing) update.mutate({ viewId: existing.id, name, shared }, { onError });
    else create.mutate({ name, query, shared }, { onError });
  };
  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-col">
      <DialogHeader>
        <DialogTitle>{existing ? "Edit saved view" : "Save view"}</DialogTitle>
        <DialogDescription>
          {existing
            ? "Rename the view, or change who sees it."
            : "Keeps this history's filters and search under a name in the sidebar."}
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={ids.name}>Name</Label>
          <Input
            id={ids.name}
            value={name}
            maxLength={MAX_SAVED_VIEW_NAME_CHARS}
            autoFocus
            onChange={(event) => setName(event.target.value)}
            aria-invalid={Boolean(errors.name)}
            aria-describedby={errors.name ? ids.nameError : undefined}
          />
          <FieldError id={ids.nameError} message={errors.name} />
        </div>
        <ShareField shared={shared} onChange={setShared} canShare={canShare} />
        <FieldError id={ids.queryError} message={errors.query && `Filters: ${errors.query}`} />
      </DialogBody>
      <FormDialogFooter
        onCancel={onDone}
        pending={create.isPending || update.isPending}
        submitLabel={existing ? "Save" : "Save view"}
      />
    </form>
  );
}

function ShareField({
  shared,
  onChange,
  canShare,
}: {
  shared: boolean;
  onChange: (shared: boolean) => void;
  canShare: boolean;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <Checkbox
        id={id}
        checked={shared}
        disabled={!canShare && !shared}
        onChange={(event) => onChange(event.target.checked)}
      />
      <div className="flex flex-col gap-0.5">
        <Label htmlFor={id}>Share with the tenant</Label>
        <p className="text-muted-foreground text-xs">
          {canShare
            ? "Every member sees it in their sidebar."
            : "Sharing needs the operator role; this view stays yours."}
        </p>
      </div>
    </div>
  );
}
