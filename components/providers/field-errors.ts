import { TRPCClientError } from "@trpc/client";
import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import type { FieldErrors } from "@/lib/skill-inputs";
import type { AppRouter } from "@/server/trpc/root";

/** The per-field errors a tRPC error carries (see the server's errorFormatter), or null. */
export function fieldErrorsFrom(error: unknown): FieldErrors | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = (error as TRPCClientError<AppRouter>).data as
    { fieldErrors?: FieldErrors } | undefined;
  return data?.fieldErrors && Object.keys(data.fieldErrors).length ? data.fieldErrors : null;
}

/**
 * Puts a server's field errors on a form with `setError`, so each shows next to its field until
 * the field is edited. `fieldOf` names the form field that holds an error key, or null; the
 * errors no field holds are answered, for the caller to show elsewhere (or hand to another form).
 */
export function setServerFieldErrors<Values extends FieldValues>(
  setError: UseFormSetError<Values>,
  fieldErrors: FieldErrors,
  fieldOf: (key: string) => Path<Values> | null,
): FieldErrors {
  const unplaced: FieldErrors = {};
  for (const [key, messages] of Object.entries(fieldErrors)) {
    const field = fieldOf(key);
    if (field) setError(field, { type: "server", message: messages.join("; ") });
    else unplaced[key] = messages;
  }
  return unplaced;
}
