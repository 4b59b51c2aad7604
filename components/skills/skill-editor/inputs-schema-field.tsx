"use client";

import { useId, useMemo } from "react";
import { useForm } from "react-hook-form";
import { SkillInputsFields } from "@/components/skills/skill-inputs-form";
import {
  inputFieldsOf,
  toFormValues,
  type FormValues,
  type InputsSchema,
} from "@/lib/skill-inputs";
import { CodeEditor } from "./code-editor";
import { FieldMessages } from "./field-messages";

/**
 * The inputs schema as JSON, its errors (each with its JSON pointer) under it, and beside it the
 * Run now form it generates: the real form component, so what the preview shows is what runs get.
 */
export function InputsSchemaField({
  value,
  onChange,
  schema,
  errors,
}: {
  value: string;
  onChange: (value: string) => void;
  /** The text parsed, or null while it is not a JSON object. */
  schema: InputsSchema | null;
  errors: string[] | undefined;
}) {
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <div className="flex min-w-0 flex-col gap-1.5">
        <span className="text-sm font-medium">Inputs schema (JSON Schema)</span>
        <CodeEditor
          value={value}
          onChange={onChange}
          language="json"
          label="Inputs schema"
          describedBy={errors?.length ? "inputs-schema-errors" : undefined}
          invalid={Boolean(errors?.length)}
          minHeight="16rem"
        />
        <FieldMessages id="inputs-schema-errors" messages={errors} />
      </div>
      <section
        aria-label="Run now form preview"
        className="border-border flex min-w-0 flex-col gap-3 rounded-md border border-dashed p-4"
      >
        <h3 className="text-sm font-medium">Run now form preview</h3>
        {schema ? (
          <FormPreview key={JSON.stringify(schema)} schema={schema} />
        ) : (
          <p className="text-muted-foreground text-sm">
            The preview shows once the schema is a JSON object.
          </p>
        )}
      </section>
    </div>
  );
}

function FormPreview({ schema }: { schema: InputsSchema }) {
  const idPrefix = useId();
  const fields = useMemo(() => {
    try {
      return inputFieldsOf(schema);
    } catch {
      return null;
    }
  }, [schema]);
  const form = useForm<FormValues>({ defaultValues: fields ? toFormValues(fields) : {} });
  if (!fields)
    return (
      <p className="text-muted-foreground text-sm">
        This schema cannot be shown as a form yet; see the errors beside it.
      </p>
    );
  return (
    <SkillInputsFields
      fields={fields}
      register={form.register}
      errors={form.formState.errors}
      idPrefix={`preview${idPrefix}`}
    />
  );
}
