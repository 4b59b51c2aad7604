"use client";

import { LoaderCircle, Save } from "lucide-react";
import type { Route } from "next";
import Link from "next/link";
import { useEffect, type ReactNode } from "react";
import type {
  FieldError as FormFieldError,
  FieldValues,
  Path,
  UseFormRegisterReturn,
  UseFormSetError,
} from "react-hook-form";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { FieldError } from "@/components/schedules/field-error";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/**
 * A labelled field with its error (which replaces the hint while it shows). The control gets
 * `${id}-error` or `${id}-hint` as its description; a message may hold one problem per line.
 */
export function Field({
  id,
  label,
  error,
  hint,
  className,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`flex flex-col gap-1.5 ${className ?? ""}`}>
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error ? (
        <div className="whitespace-pre-line">
          <FieldError id={`${id}-error`} label={label} message={error} />
        </div>
      ) : (
        hint && (
          <p id={`${id}-hint`} className="text-muted-foreground text-xs">
            {hint}
          </p>
        )
      )}
    </div>
  );
}

/** What a control says about itself for its field: invalid or not, and where its words are. */
export const describedBy = (id: string, error: unknown) => ({
  "aria-invalid": error ? true : undefined,
  "aria-describedby": error ? `${id}-error` : `${id}-hint`,
});

/**
 * The card that names a catalog row, titled with its kind: its name (unique in the tenant), its
 * one-line description, then `children` (the kind's own settings of the same sort).
 */
export function NameAndDescriptionCard({
  title,
  id,
  name,
  description,
  errors,
  children,
}: {
  title: string;
  id: string;
  name: UseFormRegisterReturn;
  description: UseFormRegisterReturn;
  errors: { name?: FormFieldError; description?: FormFieldError };
  children?: ReactNode;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <Field
          id={`${id}-name`}
          label="Name"
          error={errors.name?.message}
          hint="Unique in this tenant."
        >
          <Input
            id={`${id}-name`}
            autoComplete="off"
            {...name}
            {...describedBy(`${id}-name`, errors.name)}
          />
        </Field>
        <Field id={`${id}-description`} label="Description" error={errors.description?.message}>
          <Input
            id={`${id}-description`}
            autoComplete="off"
            {...description}
            {...describedBy(`${id}-description`, errors.description)}
          />
        </Field>
        {children}
      </CardContent>
    </Card>
  );
}

/** Asks before the tab closes or reloads while the form has unsaved edits. */
export function useUnsavedChangesGuard(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
}

/** Said above a form a member may read but not change. */
export function ReadOnlyNotice({ what }: { what: string }) {
  return (
    <p className="border-border bg-muted text-muted-foreground rounded-md border px-3 py-2 text-sm">
      You can view this {what}; admins and owners can change it.
    </p>
  );
}

/** The server's refusal that no field holds, then Cancel and Save: shown to those who may save. */
export function SaveBar({
  what,
  serverError,
  cancelHref,
  pending,
  saveLabel,
}: {
  what: string;
  serverError?: string;
  cancelHref: Route;
  pending: boolean;
  saveLabel: string;
}) {
  return (
    <>
      {serverError && (
        <Alert variant="destructive">
          <AlertTitle>The {what} was not saved</AlertTitle>
          <AlertDescription>{serverError}</AlertDescription>
        </Alert>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="outline" asChild>
          <Link href={cancelHref}>Cancel</Link>
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Save aria-hidden />}
          {saveLabel}
        </Button>
      </div>
    </>
  );
}

/**
 * A failed save's errors on the form: each field's beside it (`fieldOf` names the field of a
 * key), the rest, or a refusal without fields, as the form's root error.
 */
export function showSaveError<Values extends FieldValues>(
  setError: UseFormSetError<Values>,
  error: unknown,
  fieldOf: (key: string) => Path<Values> | null,
  fallback: string,
) {
  const fieldErrors = fieldErrorsFrom(error);
  const rest = fieldErrors ? setServerFieldErrors(setError, fieldErrors, fieldOf) : {};
  const message = fieldErrors
    ? Object.values(rest).flat().join("; ")
    : error instanceof Error
      ? error.message
      : fallback;
  if (message) setError("root.server" as Path<Values>, { type: "server", message });
}
