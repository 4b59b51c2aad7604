"use client";

import { useQueryClient, type QueryKey } from "@tanstack/react-query";
import type { Route } from "next";
import { useRouter } from "next/navigation";
import type { ReactNode } from "react";
import type { FieldValues, Path, UseFormReturn } from "react-hook-form";
import { toast } from "sonner";
import { capitalized } from "@/components/plural";
import { ReadOnlyNotice, SaveBar, showSaveError, useUnsavedChangesGuard } from "./form-parts";

/**
 * Saving a catalog row's form: create it (then open its page) or update it, start the form again
 * from what was saved, refetch `invalidate` and say so; a refusal lands on the fields it names.
 * `what` is the row's kind in lower case ("template").
 */
export function useCatalogSave<Fields extends FieldValues, Values, Row>(
  form: UseFormReturn<Fields, unknown, Values>,
  {
    what,
    rowId,
    rowOf,
    fieldsOf,
    fieldOf,
    create,
    update,
    invalidate,
    hrefOf,
  }: {
    what: string;
    rowId?: string;
    rowOf: (values: Values) => Row;
    fieldsOf: (row: Row) => Fields;
    fieldOf: (key: string) => Path<Fields> | null;
    create: (row: Row) => Promise<{ id: string }>;
    update: (rowId: string, row: Row) => Promise<unknown>;
    invalidate: QueryKey[];
    hrefOf: (id: string) => Route;
  },
) {
  const router = useRouter();
  const queryClient = useQueryClient();
  return async (values: Values) => {
    const row = rowOf(values);
    try {
      const created = rowId ? null : await create(row);
      if (rowId) await update(rowId, row);
      form.reset(fieldsOf(row));
      for (const queryKey of invalidate) await queryClient.invalidateQueries({ queryKey });
      toast.success(`${capitalized(what)} ${created ? "created" : "saved"}`);
      if (created) router.push(hrefOf(created.id));
    } catch (error) {
      showSaveError(form.setError, error, fieldOf, `The ${what} could not be saved.`);
    }
  };
}

/**
 * A catalog row's form in two columns: a notice above it for those who may only read it, Cancel
 * and Save below it for those who may save; asks before leaving with unsaved edits.
 */
export function CatalogEditorFrame<Fields extends FieldValues, Values>({
  what,
  rowId,
  form,
  editable,
  onSave,
  pending,
  cancelHref,
  main,
  side,
}: {
  what: string;
  rowId?: string;
  form: UseFormReturn<Fields, unknown, Values>;
  editable: boolean;
  onSave: (values: Values) => Promise<void>;
  pending: boolean;
  cancelHref: Route;
  main: ReactNode;
  side: ReactNode;
}) {
  useUnsavedChangesGuard(form.formState.isDirty && !form.formState.isSubmitSuccessful);
  return (
    <form
      noValidate
      aria-label={rowId ? `Edit ${what}` : `New ${what}`}
      className="flex max-w-6xl flex-col gap-6"
      onSubmit={(event) => void form.handleSubmit(onSave)(event)}
    >
      {!editable && <ReadOnlyNotice what={what} />}
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-6">{main}</div>
        <div className="flex min-w-0 flex-col gap-6">{side}</div>
      </div>
      {editable && (
        <SaveBar
          what={what}
          serverError={form.formState.errors.root?.server?.message}
          cancelHref={cancelHref}
          pending={pending}
          saveLabel={`${rowId ? "Save" : "Create"} ${what}`}
        />
      )}
    </form>
  );
}
