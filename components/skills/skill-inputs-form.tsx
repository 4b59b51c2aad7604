"use client";

import type { FieldErrors as FormErrors, UseFormRegister } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { fieldErrorText, type FormValues, type InputField } from "@/lib/skill-inputs";

function hintOf(field: InputField): string | undefined {
  const bounds: string[] = [];
  if (field.minimum !== undefined) bounds.push(`min ${field.minimum}`);
  if (field.maximum !== undefined) bounds.push(`max ${field.maximum}`);
  if (field.maxLength !== undefined)
    bounds.push(`up to ${field.maxLength.toLocaleString("en")} characters`);
  if (field.kind === "string-list") bounds.push("one per line");
  if (field.kind === "json") bounds.push("JSON");
  return bounds.length ? bounds.join(" · ") : undefined;
}

/** One control per input of a skill, generated from its schema; errors sit under their field. */
export function SkillInputsFields({
  fields,
  register,
  errors,
  idPrefix,
}: {
  fields: InputField[];
  register: UseFormRegister<FormValues>;
  errors: FormErrors<FormValues>;
  idPrefix: string;
}) {
  if (fields.length === 0)
    return <p className="text-muted-foreground text-sm">This skill takes no inputs.</p>;
  return (
    <div className="flex flex-col gap-4">
      {fields.map((field) => {
        const id = `${idPrefix}-${field.name}`;
        const message = errors[field.name]?.message;
        const describedBy =
          [field.description && `${id}-description`, message && `${id}-error`]
            .filter(Boolean)
            .join(" ") || undefined;
        const common = {
          id,
          "aria-invalid": message ? true : undefined,
          "aria-describedby": describedBy,
          "aria-required": field.required || undefined,
        };
        const hint = hintOf(field);
        return (
          <div key={field.name} className="flex flex-col gap-1.5">
            {field.kind === "boolean" ? (
              <div className="flex items-center gap-2">
                <Checkbox {...common} {...register(field.name)} />
                <Label htmlFor={id}>{field.title}</Label>
              </div>
            ) : (
              <Label htmlFor={id} className="flex items-baseline gap-1">
                {field.title}
                {field.required && (
                  <span className="text-destructive" aria-hidden>
                    *
                  </span>
                )}
                {field.required && <span className="sr-only">(required)</span>}
                {hint && (
                  <span className="text-muted-foreground ml-auto text-xs font-normal">{hint}</span>
                )}
              </Label>
            )}
            {field.kind === "textarea" || field.kind === "string-list" || field.kind === "json" ? (
              <Textarea
                {...common}
                rows={field.kind === "textarea" ? 5 : 3}
                className={field.kind === "json" ? "font-mono" : undefined}
                {...register(field.name)}
              />
            ) : field.kind === "enum" ? (
              <Select {...common} {...register(field.name)}>
                {!field.required || field.default === undefined ? (
                  <option value="">—</option>
                ) : null}
                {field.options?.map((option) => (
                  <option key={option} value={option}>
                    {option}
                  </option>
                ))}
              </Select>
            ) : field.kind === "boolean" ? null : (
              <Input
                {...common}
                type={
                  field.kind === "integer" || field.kind === "number"
                    ? "number"
                    : field.kind === "date"
                      ? "date"
                      : field.kind === "date-time"
                        ? "datetime-local"
                        : "text"
                }
                step={field.kind === "integer" ? 1 : field.kind === "number" ? "any" : undefined}
                min={field.minimum}
                max={field.maximum}
                {...register(field.name)}
              />
            )}
            {field.description && (
              <p id={`${id}-description`} className="text-muted-foreground text-xs">
                {field.description}
              </p>
            )}
            {message && (
              <p id={`${id}-error`} role="alert" className="text-destructive text-xs font-medium">
                {fieldErrorText(field.title, message)}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
