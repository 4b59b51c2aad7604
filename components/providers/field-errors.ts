import { TRPCClientError } from "@trpc/client";
import type { FieldErrors } from "@/lib/skill-inputs";
import type { AppRouter } from "@/server/trpc/root";

/** The per-field errors a tRPC error carries (see the server's errorFormatter), or null. */
export function fieldErrorsFrom(error: unknown): FieldErrors | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = (error as TRPCClientError<AppRouter>).data as
    { fieldErrors?: FieldErrors } | undefined;
  return data?.fieldErrors && Object.keys(data.fieldErrors).length ? data.fieldErrors : null;
}
