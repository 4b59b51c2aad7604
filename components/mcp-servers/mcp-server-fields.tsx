"use client";

import { LoaderCircle, PlugZap } from "lucide-react";
import type { ReactNode } from "react";
import type { UseFormReturn } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ConnectionResult, type ConnectionTest } from "./connection-result";
import type { FormFields, FormValues } from "./mcp-server-dialog";

/**
 * "URL is required", or a sentence as it is: `fieldErrorText`'s rule, kept here so this page does
 * not load the skill-inputs validator with it.
 */
export const fieldErrorText = (label: string, message: string) =>
  /^[A-Z]/.test(message) ? message : `${label} ${message}`;

/** The write-only token: typed to set or replace, left empty to keep, or removed. */
export function TokenFields({
  id,
  form,
  hasToken,
  removeToken,
  describedBy,
}: {
  id: string;
  form: UseFormReturn<FormFields, unknown, FormValues>;
  hasToken: boolean;
  removeToken: boolean;
  describedBy?: string;
}) {
  const error = form.formState.errors.authToken;
  return (
    <>
      <Field
        id={id}
        label="Auth token"
        error={error?.message}
        hint={
          hasToken
            ? "A token is set. It is never shown again: leave this empty to keep it, or type a new one."
            : "Optional. Sent as a bearer token; never shown again once saved."
        }
      >
        <Input
          id={id}
          type="password"
          {...form.register("authToken")}
          autoComplete="new-password"
          spellCheck={false}
          disabled={removeToken}
          aria-invalid={Boolean(error)}
          aria-describedby={describedBy}
        />
      </Field>
      {hasToken && (
        <label className="flex items-center gap-2 text-sm">
          <Checkbox {...form.register("removeToken")} />
          Remove the token
        </label>
      )}
    </>
  );
}

export function TestConnection({
  onTest,
  testing,
  disabled,
  result,
}: {
  onTest: () => void;
  testing: boolean;
  disabled: boolean;
  result: ConnectionTest | null;
}) {
  return (
    <div className="flex flex-col gap-2">
      <div>
        <Button type="button" variant="outline" onClick={onTest} disabled={testing || disabled}>
          {testing ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <PlugZap aria-hidden />
          )}
          Test connection
        </Button>
      </div>
      {result && <ConnectionResult result={result} />}
    </div>
  );
}

export function Field({
  id,
  label,
  error,
  hint,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && (
        <p id={`${id}-hint`} className="text-muted-foreground text-xs">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-destructive text-xs" role="alert">
          {fieldErrorText(label, error)}
        </p>
      )}
    </div>
  );
}
