"use client";

import type { Dispatch, SetStateAction } from "react";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import type { EditorState, FieldErrorMap } from "./draft";
import { slugOf } from "./draft";
import { FieldMessages } from "./field-messages";

/** Name, slug (derived from the name until edited) and description. */
export function AboutFields({
  state,
  setState,
  errors,
}: {
  state: EditorState;
  setState: Dispatch<SetStateAction<EditorState>>;
  errors: FieldErrorMap;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>About</CardTitle>
      </CardHeader>
      <CardContent className="grid grid-cols-1 gap-4 md:grid-cols-2">
        <TextField
          id="skill-name"
          label="Name"
          value={state.name}
          errors={errors.name}
          onChange={(name) =>
            setState((previous) => ({
              ...previous,
              name,
              slug: previous.slugEdited ? previous.slug : slugOf(name),
            }))
          }
        />
        <TextField
          id="skill-slug"
          label="Slug"
          value={state.slug}
          errors={errors.slug}
          mono
          hint="Used in URLs and the API; lowercase letters, digits and hyphens."
          onChange={(slug) => setState((previous) => ({ ...previous, slug, slugEdited: true }))}
        />
        <div className="flex flex-col gap-1.5 md:col-span-2">
          <Label htmlFor="skill-description">Description</Label>
          <Textarea
            id="skill-description"
            rows={2}
            value={state.description}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? "skill-description-errors" : undefined}
            onChange={(event) =>
              setState((previous) => ({ ...previous, description: event.target.value }))
            }
          />
          <FieldMessages id="skill-description-errors" messages={errors.description} />
        </div>
      </CardContent>
    </Card>
  );
}

function TextField({
  id,
  label,
  value,
  onChange,
  errors,
  hint,
  mono,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errors: string[] | undefined;
  hint?: string;
  mono?: boolean;
}) {
  const describedBy = [hint && `${id}-hint`, errors?.length && `${id}-errors`]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        value={value}
        className={mono ? "font-mono" : undefined}
        aria-invalid={errors?.length ? true : undefined}
        aria-describedby={describedBy || undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p id={`${id}-hint`} className="text-muted-foreground text-xs">
          {hint}
        </p>
      )}
      <FieldMessages id={`${id}-errors`} messages={errors} />
    </div>
  );
}
