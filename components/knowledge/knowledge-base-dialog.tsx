"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useId } from "react";
import { useForm, type UseFormReturn } from "react-hook-form";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FieldError } from "@/components/schedules/field-error";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
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
import { Textarea } from "@/components/ui/textarea";
import { knowledgeBaseInput, type KnowledgeBaseInput } from "@/lib/schemas/knowledge-bases";

const EMPTY: KnowledgeBaseInput = { name: "", description: "" };

/**
 * Create a knowledge base, or rename and describe one (`existing`). A taken name comes back from
 * the server as an error under the name field.
 */
export type KnowledgeBaseDialogProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  existing?: KnowledgeBaseInput & { id: string };
  onSaved?: (knowledgeBaseId: string) => unknown;
};

export function KnowledgeBaseDialog({
  open,
  onOpenChange,
  existing,
  onSaved,
}: KnowledgeBaseDialogProps) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        {/* Mounted while open only, so each opening starts from the saved values. */}
        {open && (
          <KnowledgeBaseForm
            existing={existing}
            onDone={async (id) => {
              onOpenChange(false);
              await onSaved?.(id);
            }}
            onCancel={() => onOpenChange(false)}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

function KnowledgeBaseForm({
  existing,
  onDone,
  onCancel,
}: {
  existing?: KnowledgeBaseInput & { id: string };
  onDone: (knowledgeBaseId: string) => Promise<void>;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const form = useForm<KnowledgeBaseInput>({
    resolver: zodResolver(knowledgeBaseInput),
    defaultValues: existing ? { name: existing.name, description: existing.description } : EMPTY,
  });
  const placeErrors = (error: unknown) => {
    const fieldErrors = fieldErrorsFrom(error);
    if (fieldErrors)
      setServerFieldErrors(form.setError, fieldErrors, (key) =>
        key === "name" || key === "description" ? key : null,
      );
  };
  const invalidate = [trpc.knowledgeBases.pathKey()];
  const create = useToastMutation(trpc.knowledgeBases.create.mutationOptions(), {
    success: "Knowledge base created",
    invalidate,
    afterSuccess: (created) => onDone(created.id),
  });
  const update = useToastMutation(trpc.knowledgeBases.update.mutationOptions(), {
    success: "Knowledge base saved",
    invalidate,
    afterSuccess: (saved) => onDone(saved.id),
  });
  const pending = create.isPending || update.isPending;
  const submit = form.handleSubmit((values) =>
    existing
      ? update.mutate(
          { knowledgeBaseId: existing.id, knowledgeBase: values },
          { onError: placeErrors },
        )
      : create.mutate(values, { onError: placeErrors }),
  );
  return (
    <form onSubmit={submit} noValidate className="flex min-h-0 flex-col">
      <DialogHeader>
        <DialogTitle>{existing ? "Edit knowledge base" : "New knowledge base"}</DialogTitle>
        <DialogDescription>
          Documents an agent can search with its search_knowledge_base tool.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        <KnowledgeBaseFields form={form} />
      </DialogBody>
      <FormDialogFooter
        onCancel={onCancel}
        pending={pending}
        submitLabel={existing ? "Save" : "Create"}
      />
    </form>
  );
}

function KnowledgeBaseFields({ form }: { form: UseFormReturn<KnowledgeBaseInput> }) {
  const ids = { name: useId(), description: useId() };
  const { errors } = form.formState;
  return (
    <>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={ids.name}>Name</Label>
        <Input
          id={ids.name}
          autoComplete="off"
          aria-invalid={Boolean(errors.name)}
          aria-describedby={errors.name ? `${ids.name}-error` : undefined}
          {...form.register("name")}
        />
        <FieldError id={`${ids.name}-error`} label="Name" message={errors.name?.message} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={ids.description}>Description</Label>
        <Textarea
          id={ids.description}
          rows={3}
          aria-invalid={Boolean(errors.description)}
          aria-describedby={errors.description ? `${ids.description}-error` : undefined}
          {...form.register("description")}
        />
        <FieldError
          id={`${ids.description}-error`}
          label="Description"
          message={errors.description?.message}
        />
      </div>
    </>
  );
}
