"use client";

import { useState } from "react";
import { Controller, useWatch } from "react-hook-form";
import { describedBy, Field } from "@/components/catalog/form-parts";
import { FieldError } from "@/components/schedules/field-error";
import { approvalPatternsOf } from "@/components/templates/template-form";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { approvalSummary, type ApprovalPolicyView } from "@/lib/approval-policy";
import {
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  MAX_APPROVAL_TIMEOUT_SECONDS,
  MIN_APPROVAL_TIMEOUT_SECONDS,
} from "@/lib/schemas/templates";
import type { AgentForm, AgentFormOptions } from "./agent-form";

const NO_POLICY: ApprovalPolicyView = {
  tools: [],
  deliverable: false,
  timeoutSeconds: DEFAULT_APPROVAL_TIMEOUT_SECONDS,
};

/**
 * Which actions of the agent's runs wait for an operator: its template's policy (the default), or
 * its own, which starts as a copy of the template's.
 */
export function ApprovalPolicyCard({
  form,
  id,
  options,
}: {
  form: AgentForm;
  id: string;
  options: AgentFormOptions;
}) {
  const templateId = useWatch({ control: form.control, name: "templateId" });
  const inherited =
    options.templates.find((template) => template.id === templateId)?.approval ?? NO_POLICY;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Approvals</CardTitle>
      </CardHeader>
      <Controller
        control={form.control}
        name="approvalPolicy"
        render={({ field, fieldState }) => {
          const own = field.value ?? null;
          return (
            <CardContent className="flex flex-col gap-4">
              <div className="flex flex-col gap-1.5">
                <div className="flex items-center gap-2">
                  <Checkbox
                    id={`${id}-own-approval`}
                    checked={own !== null}
                    onChange={(event) =>
                      field.onChange(event.target.checked ? { ...inherited } : null)
                    }
                    aria-invalid={fieldState.error?.message ? true : undefined}
                    aria-describedby={`${id}-own-approval-${fieldState.error?.message ? "error" : "hint"}`}
                  />
                  <Label htmlFor={`${id}-own-approval`} className="font-normal">
                    Its own approval policy instead of the template&apos;s
                  </Label>
                </div>
                {fieldState.error?.message ? (
                  <FieldError
                    id={`${id}-own-approval-error`}
                    label="Approval policy"
                    message={fieldState.error.message}
                  />
                ) : (
                  <p id={`${id}-own-approval-hint`} className="text-muted-foreground text-xs">
                    {own
                      ? "Runs of this agent follow the policy below, whatever its template says."
                      : `Runs follow the template's: ${approvalSummary(inherited)}.`}
                  </p>
                )}
              </div>
              {own && (
                <OwnPolicyFields
                  id={id}
                  policy={own}
                  onChange={field.onChange}
                  errors={form.formState.errors.approvalPolicy}
                />
              )}
            </CardContent>
          );
        }}
      />
    </Card>
  );
}

type PolicyErrors = NonNullable<AgentForm["formState"]["errors"]["approvalPolicy"]>;

/** The first message among a list field's errors: the list's own, else its first item's. */
function firstToolsError(errors: PolicyErrors | undefined): string | undefined {
  const tools = errors?.tools;
  if (!tools) return undefined;
  if (tools.message) return tools.message;
  const items = Array.isArray(tools) ? (tools as ({ message?: string } | undefined)[]) : [];
  return items.find((item) => item?.message)?.message;
}

function OwnPolicyFields({
  id,
  policy,
  onChange,
  errors,
}: {
  id: string;
  policy: ApprovalPolicyView;
  onChange: (policy: ApprovalPolicyView) => void;
  errors: PolicyErrors | undefined;
}) {
  // The box keeps what is typed; the form holds the patterns it parses to. A reset (discard
  // changes) makes them differ: the box then shows the form's value.
  const [typed, setTyped] = useState(policy.tools.join(", "));
  const toolsText =
    approvalPatternsOf(typed).join(",") === policy.tools.join(",")
      ? typed
      : policy.tools.join(", ");
  const toolsError = firstToolsError(errors);
  const timeoutError = errors?.timeoutSeconds?.message;
  return (
    <>
      <Field
        id={`${id}-agent-approval-tools`}
        label="Tools needing approval"
        error={toolsError}
        hint="Tool names or server:tool (e.g. crm:send_*), separated by commas. Each call waits for an operator."
      >
        <Input
          id={`${id}-agent-approval-tools`}
          autoComplete="off"
          className="font-mono"
          value={toolsText}
          onChange={(event) => {
            setTyped(event.target.value);
            onChange({ ...policy, tools: approvalPatternsOf(event.target.value) });
          }}
          {...describedBy(`${id}-agent-approval-tools`, toolsError)}
        />
      </Field>
      <div className="flex items-center gap-2">
        <Checkbox
          id={`${id}-agent-approve-deliverable`}
          checked={policy.deliverable}
          onChange={(event) => onChange({ ...policy, deliverable: event.target.checked })}
        />
        <Label htmlFor={`${id}-agent-approve-deliverable`} className="font-normal">
          The deliverable needs approval before the run completes
        </Label>
      </div>
      <Field
        id={`${id}-agent-approval-timeout`}
        label="Wait for a decision (seconds)"
        error={timeoutError}
        hint={`${MIN_APPROVAL_TIMEOUT_SECONDS} to ${MAX_APPROVAL_TIMEOUT_SECONDS} (7 days); past it the run fails.`}
      >
        <Input
          id={`${id}-agent-approval-timeout`}
          type="number"
          inputMode="numeric"
          min={MIN_APPROVAL_TIMEOUT_SECONDS}
          max={MAX_APPROVAL_TIMEOUT_SECONDS}
          value={Number.isNaN(policy.timeoutSeconds) ? "" : policy.timeoutSeconds}
          onChange={(event) =>
            onChange({
              ...policy,
              timeoutSeconds: event.target.value === "" ? Number.NaN : Number(event.target.value),
            })
          }
          {...describedBy(`${id}-agent-approval-timeout`, timeoutError)}
        />
      </Field>
    </>
  );
}
