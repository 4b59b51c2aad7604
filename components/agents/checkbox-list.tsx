"use client";

import type { ReactNode } from "react";
import { Checkbox } from "@/components/ui/checkbox";
import { FieldError } from "@/components/schedules/field-error";

/**
 * A named group of checkboxes over the tenant's rows, holding the chosen ids. Ids the list does
 * not show (a skill disabled since it was linked) stay in the value untouched.
 */
export function CheckboxList({
  id,
  legend,
  hint,
  options,
  value,
  onChange,
  empty,
  error,
}: {
  id: string;
  legend: string;
  hint?: ReactNode;
  options: { id: string; label: string; note?: string }[];
  value: string[];
  onChange: (value: string[]) => void;
  empty: string;
  error?: string;
}) {
  const chosen = new Set(value);
  return (
    <fieldset
      className="flex flex-col gap-2"
      aria-describedby={
        [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined
      }
    >
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {hint && (
        <p id={`${id}-hint`} className="text-muted-foreground -mt-1 text-xs">
          {hint}
        </p>
      )}
      {options.length === 0 ? (
        <p className="text-muted-foreground text-sm">{empty}</p>
      ) : (
        <ul className="grid gap-1.5 sm:grid-cols-2">
          {options.map((option) => (
            <li key={option.id} className="flex items-start gap-2">
              <Checkbox
                id={`${id}-${option.id}`}
                className="mt-0.5"
                checked={chosen.has(option.id)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...value, option.id]
                      : value.filter((candidate) => candidate !== option.id),
                  )
                }
              />
              <label htmlFor={`${id}-${option.id}`} className="text-sm leading-snug">
                {option.label}
                {option.note && (
                  <span className="text-muted-foreground ml-1 text-xs">{option.note}</span>
                )}
              </label>
            </li>
          ))}
        </ul>
      )}
      <FieldError id={`${id}-error`} label={legend} message={error} />
    </fieldset>
  );
}
