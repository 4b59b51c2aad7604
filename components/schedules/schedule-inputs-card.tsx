"use client";

import { useId, useImperativeHandle, useMemo, useState, type Ref } from "react";
import { useForm, useWatch, type Resolver, type UseFormSetError } from "react-hook-form";
import { SkillInputsFields } from "@/components/skills/skill-inputs-form";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import {
  checkCadence,
  describeRelativeDate,
  nextFireTimes,
  resolveScheduleInputs,
  type ScheduleInputValue,
} from "@/lib/schedules";
import type { RelativeDateValue } from "@/lib/schemas/schedules";
import {
  compileSkillInputs,
  fromFormValues,
  inputFieldsOf,
  toFormValues,
  type FormValues,
  type InputsSchema,
} from "@/lib/skill-inputs";

type Relative = Omit<RelativeDateValue, "kind">;

/** What the editor asks of the inputs card when it saves. */
export type ScheduleInputsHandle = {
  /** Checks every input, showing each error under its field; the inputs, or null if any is wrong. */
  validate: () => Promise<Record<string, ScheduleInputValue> | null>;
  /** Where the server's error of an input goes. */
  setError: UseFormSetError<FormValues>;
};

/**
 * The skill's inputs as literals, plus a relative-date choice for each date input. Its own form:
 * the skill's JSON Schema, not zod, says what the inputs may hold. The editor saves: it checks
 * these inputs together with its own fields through `ref`.
 */
export function ScheduleInputsCard({
  schema,
  initial,
  timezone,
  cron,
  ref,
}: {
  schema: InputsSchema;
  initial: Record<string, ScheduleInputValue>;
  timezone: string;
  cron: string;
  ref: Ref<ScheduleInputsHandle>;
}) {
  const id = useId();
  const fields = useMemo(() => inputFieldsOf(schema), [schema]);
  const validate = useMemo(() => compileSkillInputs(schema), [schema]);
  const [relative, setRelative] = useState<Record<string, Relative | null>>(() =>
    Object.fromEntries(
      Object.entries(initial).flatMap(([name, value]) =>
        value.kind === "relative-date"
          ? [[name, { anchor: value.anchor, offsetDays: value.offsetDays }]]
          : [],
      ),
    ),
  );
  const literals = Object.fromEntries(
    Object.entries(initial).flatMap(([name, value]) =>
      value.kind === "literal" ? [[name, value.value]] : [],
    ),
  );

  const scheduleInputsOf = (values: Partial<FormValues>): Record<string, ScheduleInputValue> => {
    const inputs: Record<string, ScheduleInputValue> = {};
    for (const [name, value] of Object.entries(fromFormValues(fields, values)))
      inputs[name] = { kind: "literal", value };
    for (const [name, choice] of Object.entries(relative))
      if (choice) inputs[name] = { kind: "relative-date", ...choice };
    return inputs;
  };
  const fireAt = () =>
    checkCadence(cron, timezone).ok
      ? (nextFireTimes(cron, timezone, new Date(), 1)[0] ?? new Date())
      : new Date();

  const resolver: Resolver<FormValues> = (values) => {
    const result = validate(
      resolveScheduleInputs(
        scheduleInputsOf(values),
        checkCadence(cron, timezone).ok ? timezone : "UTC",
        fireAt(),
      ),
    );
    if (result.valid) return { values, errors: {} };
    return {
      values: {},
      errors: Object.fromEntries(
        Object.entries(result.fieldErrors).map(([name, messages]) => [
          name,
          { type: "schema", message: messages.join("; ") },
        ]),
      ),
    };
  };
  const form = useForm<FormValues>({
    defaultValues: toFormValues(fields, literals),
    resolver,
    reValidateMode: "onChange",
    // The editor focuses the first error of the whole page, in reading order.
    shouldFocusError: false,
  });
  const dateFields = fields.filter((field) => field.kind === "date");
  const values = useWatch({ control: form.control });
  const preview = checkCadence(cron, timezone).ok
    ? resolveScheduleInputs(scheduleInputsOf(values), timezone, fireAt())
    : null;

  useImperativeHandle(ref, () => ({
    validate: async () => {
      let inputs: Record<string, ScheduleInputValue> | null = null;
      await form.handleSubmit((submitted) => {
        inputs = scheduleInputsOf(submitted);
      })();
      return inputs;
    },
    setError: form.setError,
  }));

  return (
    <Card>
      <CardHeader>
        <CardTitle>Inputs</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <SkillInputsFields
          fields={fields}
          register={form.register}
          errors={form.formState.errors}
          idPrefix={id}
        />
        {dateFields.length > 0 && (
          <fieldset className="border-border rounded-md border p-3">
            <legend className="px-1 text-sm font-medium">
              Relative dates (computed at each fire time in {timezone})
            </legend>
            {dateFields.map((field) => {
              const choice = relative[field.name] ?? null;
              return (
                <div key={field.name} className="mt-2 flex flex-wrap items-end gap-3">
                  <div className="flex flex-col gap-1">
                    <Label htmlFor={`${id}-${field.name}-relative`}>{field.title}</Label>
                    <Select
                      id={`${id}-${field.name}-relative`}
                      value={choice?.anchor ?? ""}
                      onChange={(event) =>
                        setRelative((current) => ({
                          ...current,
                          [field.name]: event.target.value
                            ? {
                                anchor: event.target.value as Relative["anchor"],
                                offsetDays: choice?.offsetDays ?? 0,
                              }
                            : null,
                        }))
                      }
                    >
                      <option value="">The fixed value above</option>
                      <option value="today">Today</option>
                      <option value="start-of-week">Start of this week (Monday)</option>
                    </Select>
                  </div>
                  {choice && (
                    <div className="flex w-32 flex-col gap-1">
                      <Label htmlFor={`${id}-${field.name}-offset`}>+ days</Label>
                      <Input
                        id={`${id}-${field.name}-offset`}
                        type="number"
                        value={choice.offsetDays}
                        onChange={(event) => {
                          // An empty value is what a number input reports mid-way through "-3": keep the last number.
                          const parsed = Number(event.target.value);
                          if (
                            event.target.value !== "" &&
                            event.target.value !== "-" &&
                            Number.isFinite(parsed)
                          )
                            setRelative((current) => ({
                              ...current,
                              [field.name]: { ...choice, offsetDays: Math.trunc(parsed) },
                            }));
                        }}
                      />
                    </div>
                  )}
                  {choice && (
                    <span className="text-muted-foreground pb-2 text-xs">
                      {describeRelativeDate({ kind: "relative-date", ...choice })}
                    </span>
                  )}
                </div>
              );
            })}
          </fieldset>
        )}
        {preview && (
          <div>
            <p className="text-muted-foreground text-xs font-medium">
              The next slot&apos;s inputs, resolved
            </p>
            <pre
              className="bg-muted mt-1 max-h-48 overflow-auto rounded-md p-2 text-xs"
              data-testid="resolved-inputs"
              // Scrolls on a narrow screen: focusable, so the keyboard can scroll it too.
              tabIndex={0}
              aria-label="Inputs the next slot would get"
            >
              {JSON.stringify(preview, null, 2)}
            </pre>
          </div>
        )}
      </CardContent>
    </Card>
  );
}
