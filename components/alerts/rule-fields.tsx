"use client";

import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useWatch, type UseFormReturn } from "react-hook-form";
import { useTRPC } from "@/components/providers/trpc";
import { FAILURE_LABELS } from "@/components/runs/labels";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { ALERT_TRIGGERS, FAILURE_CODES, type AlertTrigger, type FailureCode } from "@/lib/enums";
import { TRIGGER_LABELS } from "./alert-labels";
import { FormField as Field } from "./form-field";

export type RuleFormFields = {
  name: string;
  trigger: AlertTrigger;
  skillId: string;
  failureCodes: FailureCode[];
  thresholdPercent: string;
  windowMinutes: string;
  minRuns: string;
  waitMinutes: string;
  cooldownMinutes: string;
  enabled: boolean;
  channelIds: string[];
};
type Form = UseFormReturn<RuleFormFields>;

function RateFields({ form }: { form: Form }) {
  return (
    <div className="grid gap-3 sm:grid-cols-3">
      <Field form={form} name="thresholdPercent" label="Above (%)">
        {(props) => <Input {...props} inputMode="decimal" {...form.register("thresholdPercent")} />}
      </Field>
      <Field form={form} name="windowMinutes" label="Window (minutes)">
        {(props) => <Input {...props} inputMode="numeric" {...form.register("windowMinutes")} />}
      </Field>
      <Field form={form} name="minRuns" label="At least (runs)">
        {(props) => <Input {...props} inputMode="numeric" {...form.register("minRuns")} />}
      </Field>
    </div>
  );
}

function WaitField({ form }: { form: Form }) {
  return (
    <Field
      form={form}
      name="waitMinutes"
      label="Waiting more than (minutes)"
      hint="Each run waiting for a decision longer than this is told once."
    >
      {(props) => <Input {...props} inputMode="numeric" {...form.register("waitMinutes")} />}
    </Field>
  );
}

function ChoiceList({
  legend,
  children,
  error,
}: {
  legend: string;
  children: ReactNode;
  error?: string;
}) {
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      <div className="flex max-h-40 flex-col gap-1 overflow-y-auto">{children}</div>
      {error && <p className="text-destructive text-sm">{`${legend} ${error}`}</p>}
    </fieldset>
  );
}

/** The rule form's fields; the trigger decides which filters apply. */
export function RuleFields({ form }: { form: Form }) {
  const trpc = useTRPC();
  const skills = useQuery(trpc.skills.list.queryOptions());
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const trigger = useWatch({ control: form.control, name: "trigger" });
  return (
    <>
      <Field form={form} name="name" label="Name">
        {(props) => <Input {...props} {...form.register("name")} placeholder="Reports failing" />}
      </Field>
      <Field form={form} name="trigger" label="When">
        {(props) => (
          <Select {...props} {...form.register("trigger")}>
            {ALERT_TRIGGERS.map((value) => (
              <option key={value} value={value}>
                {TRIGGER_LABELS[value]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {trigger !== "budget_threshold" && (
        <Field form={form} name="skillId" label="Skill">
          {(props) => (
            <Select {...props} {...form.register("skillId")}>
              <option value="">Any skill</option>
              {(skills.data ?? []).map((skill) => (
                <option key={skill.id} value={skill.id}>
                  {skill.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {trigger === "failure_rate" && <RateFields form={form} />}
      {trigger === "approval_waiting" && <WaitField form={form} />}
      {trigger === "run_failed" && (
        <ChoiceList legend="Failure codes (none checked: any)">
          {FAILURE_CODES.map((code) => (
            <label key={code} className="flex items-center gap-2 text-sm">
              <Checkbox value={code} {...form.register("failureCodes")} />
              {FAILURE_LABELS[code].label}
            </label>
          ))}
        </ChoiceList>
      )}
      <Field
        form={form}
        name="cooldownMinutes"
        label="Cooldown (minutes)"
        hint="At most one message per this many minutes."
      >
        {(props) => <Input {...props} inputMode="numeric" {...form.register("cooldownMinutes")} />}
      </Field>
      <ChoiceList legend="Channels" error={form.formState.errors.channelIds?.message}>
        {(channels.data ?? []).length === 0 && (
          <p className="text-muted-foreground text-sm">Add a channel first.</p>
        )}
        {(channels.data ?? []).map((channel) => (
          <label key={channel.id} className="flex items-center gap-2 text-sm">
            <Checkbox value={channel.id} {...form.register("channelIds")} />
            {channel.name}
          </label>
        ))}
      </ChoiceList>
      <label className="flex items-center gap-2 text-sm">
        <Checkbox {...form.register("enabled")} />
        Enabled
      </label>
    </>
  );
}
