"use client";

import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, PiggyBank, Save } from "lucide-react";
import { useId, useState } from "react";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { formatUsd } from "@/lib/budgets";
import { updateBudgetInput, type UpdateBudgetInput } from "@/lib/schemas/budgets";
import type { BudgetStatusView } from "./budget-types";

type Fields = { softLimitUsd: string; hardLimitUsd: string; timezone: string };
type FieldErrors = Partial<Record<keyof Fields, string>>;

const amountText = (value: number | null | undefined) =>
  value === null || value === undefined ? "" : String(value);
/** An empty amount is "no limit"; anything else must read as a number. */
const amountOf = (text: string) => (text.trim() === "" ? null : Number(text.trim()));

/** The form's text as the procedure's input, or what is wrong with each field. */
function parseBudgetFields(fields: Fields): { input: UpdateBudgetInput } | { errors: FieldErrors } {
  const soft = amountOf(fields.softLimitUsd);
  const hard = amountOf(fields.hardLimitUsd);
  const notNumbers: FieldErrors = {
    ...(Number.isNaN(soft) ? { softLimitUsd: "must be an amount in dollars, like 25" } : {}),
    ...(Number.isNaN(hard) ? { hardLimitUsd: "must be an amount in dollars, like 50" } : {}),
  };
  if (Object.keys(notNumbers).length) return { errors: notNumbers };
  const parsed = updateBudgetInput.safeParse({
    softLimitUsd: soft,
    hardLimitUsd: hard,
    timezone: fields.timezone.trim(),
  });
  if (parsed.success) return { input: parsed.data };
  return {
    errors: Object.fromEntries(
      parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]),
    ),
  };
}

/** The tenant's monthly model budget: its limits, its month's zone, and the month so far. */
export function BudgetSettings() {
  const trpc = useTRPC();
  const status = useQuery(trpc.budgets.status.queryOptions());
  return (
    <Card id="budget" className="scroll-mt-20">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <PiggyBank className="size-4" aria-hidden /> Monthly budget
        </CardTitle>
        <p className="text-muted-foreground text-sm">
          Model spend per calendar month in the budget&apos;s timezone: finished runs&apos; costs,
          plus an estimate for each queued or running run. Past the soft limit every page says so;
          at the hard limit new runs are refused (<code className="font-mono">budget_exceeded</code>
          ) and schedules skip their slots until the month turns. Leave a limit empty for none.
        </p>
      </CardHeader>
      <CardContent>
        <QueryView
          query={status}
          loading={<Skeleton className="h-24" />}
          errorTitle="The budget could not be loaded"
        >
          {(data) => <BudgetForm key={JSON.stringify(data.budget)} status={data} />}
        </QueryView>
      </CardContent>
    </Card>
  );
}

function BudgetForm({ status }: { status: BudgetStatusView }) {
  const trpc = useTRPC();
  const id = useId();
  const [fields, setFields] = useState<Fields>({
    softLimitUsd: amountText(status.budget?.softLimitUsd),
    hardLimitUsd: amountText(status.budget?.hardLimitUsd),
    timezone: status.budget?.timezone ?? "UTC",
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useToastMutation(
    trpc.budgets.update.mutationOptions({
      onError: (error) => {
        const fieldErrors = fieldErrorsFrom(error);
        if (fieldErrors)
          setErrors(
            Object.fromEntries(
              Object.entries(fieldErrors).map(([field, messages]) => [field, messages.join("; ")]),
            ),
          );
      },
    }),
    { success: "Budget saved", invalidate: [trpc.budgets.status.queryKey()] },
  );

  const submit = () => {
    const parsed = parseBudgetFields(fields);
    setErrors("errors" in parsed ? parsed.errors : {});
    if ("input" in parsed) save.mutate(parsed.input);
  };

  const field = (name: keyof Fields, label: string, hint: string) => (
    <BudgetField
      id={`${id}-${name}`}
      label={label}
      hint={hint}
      error={errors[name]}
      value={fields[name]}
      decimal={name !== "timezone"}
      onChange={(value) => setFields({ ...fields, [name]: value })}
    />
  );

  return (
    <form
      aria-label="Monthly budget"
      className="flex flex-col gap-4"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <p className="text-sm" data-testid="budget-spend">
        {status.month ? `${status.month.label}: ` : ""}
        {formatUsd(status.spentUsd)} spent or reserved so far.
      </p>
      <div className="flex flex-wrap items-start gap-3">
        {field("softLimitUsd", "Soft limit (USD)", "A warning on every page.")}
        {field("hardLimitUsd", "Hard limit (USD)", "New runs are refused.")}
        {field("timezone", "Timezone", "Where the month begins (IANA name).")}
      </div>
      <div>
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <Save aria-hidden />
          )}
          Save budget
        </Button>
      </div>
    </form>
  );
}

function BudgetField({
  id,
  label,
  hint,
  error,
  value,
  decimal,
  onChange,
}: {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  value: string;
  decimal: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <div className="flex min-w-40 flex-1 flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        value={value}
        inputMode={decimal ? "decimal" : "text"}
        onChange={(event) => onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
        placeholder={decimal ? "No limit" : "Europe/Berlin"}
      />
      <p id={`${id}-hint`} className="text-muted-foreground text-xs">
        {error ? <span className="text-destructive">{`${label} ${error}.`}</span> : hint}
      </p>
    </div>
  );
}
