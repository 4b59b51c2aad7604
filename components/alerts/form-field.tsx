"use client";

import { useId, type ReactNode } from "react";
import type { FieldValues, Path, UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { Label } from "@/components/ui/label";

export type ControlProps = { id: string; "aria-invalid": boolean; "aria-describedby"?: string };

/** A labelled control with its hint, or its error in the hint's place (read with the control). */
export function FormField<Values extends FieldValues>({
  form,
  name,
  label,
  hint,
  children,
}: {
  form: UseFormReturn<Values>;
  name: Path<Values>;
  label: string;
  hint?: ReactNode;
  children: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const error = form.getFieldState(name, form.formState).error?.message;
  const note = error || hint ? `${id}-note` : undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": note })}
      {(error || hint) && (
        <p
          id={note}
          className={error ? "text-destructive text-sm" : "text-muted-foreground text-sm"}
        >
          {error ? `${label} ${error}` : hint}
        </p>
      )}
    </div>
  );
}

/** A schema's issues by dotted path, as the server's field errors are keyed. */
export function issuesByPath(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues)
    (errors[issue.path.filter((part) => typeof part === "string").join(".")] ??= []).push(
      issue.message,
    );
  return errors;
}

/** Puts each error on the field `fieldOf` names; the rest go to the form's root. */
export function placeFieldErrors<Values extends FieldValues>(
  form: UseFormReturn<Values>,
  errors: Record<string, string[] | undefined>,
  fieldOf: (path: string) => Path<Values> | null,
) {
  const rest: string[] = [];
  for (const [path, messages] of Object.entries(errors)) {
    const field = fieldOf(path);
    const message = (messages ?? []).join("; ");
    if (field) form.setError(field, { type: "server", message });
    else rest.push(message);
  }
  if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
}
