"use client";

import { Controller, useWatch } from "react-hook-form";
import { ModelPicker } from "@/components/agents/model-picker";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { BUILT_IN_TOOLS, type BuiltInTool } from "@/lib/enums";
import {
  MAX_APPROVAL_TIMEOUT_SECONDS,
  MAX_STEPS_LIMIT,
  MAX_SYSTEM_PROMPT_CHARS,
  MIN_APPROVAL_TIMEOUT_SECONDS,
  MIN_TIMEOUT_SECONDS,
} from "@/lib/schemas/templates";
import { describedBy, Field, NameAndDescriptionCard } from "@/components/catalog/form-parts";
import type { TemplateForm } from "./template-form";

const TOOL_LABELS: Record<BuiltInTool, string> = {
  read_skill_reference: "Read the skill's reference files",
  search_knowledge_base: "Search knowledge bases",
  current_time: "Current time",
};

export function TemplateAboutCard({ form, id }: { form: TemplateForm; id: string }) {
  return (
    <NameAndDescriptionCard
      title="Template"
      id={id}
      name={form.register("name")}
      description={form.register("description")}
      errors={form.formState.errors}
    />
  );
}

export function SystemPromptCard({ form, id }: { form: TemplateForm; id: string }) {
  const { errors } = form.formState;
  const prompt = useWatch({ control: form.control, name: "systemPrompt" });
  const count = prompt.length;
  return (
    <Card>
      <CardHeader>
        <CardTitle>System prompt</CardTitle>
      </CardHeader>
      <CardContent>
        <Field
          id={`${id}-prompt`}
          label="System prompt"
          error={errors.systemPrompt?.message}
          hint={`${count.toLocaleString("en-US")} of ${MAX_SYSTEM_PROMPT_CHARS.toLocaleString("en-US")} characters. Comes before the skill's instructions in every run.`}
        >
          <Textarea
            id={`${id}-prompt`}
            spellCheck={false}
            className="min-h-64 resize-y font-mono text-xs leading-relaxed"
            {...form.register("systemPrompt")}
            {...describedBy(`${id}-prompt`, errors.systemPrompt)}
          />
        </Field>
      </CardContent>
    </Card>
  );
}

export function ModelAndToolsCard({ form, id }: { form: TemplateForm; id: string }) {
  const { errors } = form.formState;
  const disabled = form.formState.disabled;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Model and tools</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <Field
          id={`${id}-model`}
          label="Default model"
          error={errors.defaultModel?.message}
          hint="An agent's model override wins over it."
        >
          <Controller
            control={form.control}
            name="defaultModel"
            render={({ field }) => (
              <ModelPicker
                id={`${id}-model`}
                value={field.value}
                onChange={field.onChange}
                disabled={disabled}
                invalid={Boolean(errors.defaultModel)}
                describedBy={errors.defaultModel ? `${id}-model-error` : `${id}-model-hint`}
              />
            )}
          />
        </Field>
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm font-medium">Blocked tools</legend>
          <Controller
            control={form.control}
            name="builtInBlocked"
            render={({ field }) => (
              <>
                {BUILT_IN_TOOLS.map((tool) => (
                  <div key={tool} className="flex items-center gap-2">
                    <Checkbox
                      id={`${id}-tool-${tool}`}
                      checked={field.value.includes(tool)}
                      disabled={disabled}
                      onChange={(event) =>
                        field.onChange(
                          event.target.checked
                            ? [...field.value, tool]
                            : field.value.filter((blocked) => blocked !== tool),
                        )
                      }
                    />
                    <Label htmlFor={`${id}-tool-${tool}`} className="font-normal">
                      {TOOL_LABELS[tool]}{" "}
                      <code className="text-muted-foreground font-mono text-xs">{tool}</code>
                    </Label>
                  </div>
                ))}
              </>
            )}
          />
        </fieldset>
        <Field
          id={`${id}-other-tools`}
          label="Other tools to block"
          error={errors.otherBlocked?.message}
          hint="MCP tool names, separated by commas."
        >
          <Input
            id={`${id}-other-tools`}
            autoComplete="off"
            className="font-mono"
            {...form.register("otherBlocked")}
            {...describedBy(`${id}-other-tools`, errors.otherBlocked)}
          />
        </Field>
      </CardContent>
    </Card>
  );
}

export function GuardrailAndLimitsCard({
  form,
  id,
  guardrails,
  maxTimeoutSeconds,
}: {
  form: TemplateForm;
  id: string;
  guardrails: { id: string; name: string; isTenantDefault: boolean }[];
  maxTimeoutSeconds: number;
}) {
  const { errors } = form.formState;
  const tenantDefault = guardrails.find((guardrail) => guardrail.isTenantDefault);
  const number = {
    setValueAs: (value: string | number) => (value === "" ? Number.NaN : Number(value)),
  };
  return (
    <Card>
      <CardHeader>
        <CardTitle>Guardrail and limits</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 sm:grid-cols-2">
        <Field
          id={`${id}-guardrail`}
          label="Guardrail"
          error={errors.guardrailId?.message}
          className="sm:col-span-2"
          hint="Checks every run's inputs and deliverable."
        >
          <Select
            id={`${id}-guardrail`}
            {...form.register("guardrailId", { setValueAs: (value: string) => value || null })}
            {...describedBy(`${id}-guardrail`, errors.guardrailId)}
          >
            <option value="">
              {`The tenant default${tenantDefault ? ` (now ${tenantDefault.name})` : " (none set: no guardrail)"}`}
            </option>
            {guardrails.map((guardrail) => (
              <option key={guardrail.id} value={guardrail.id}>
                {guardrail.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          id={`${id}-steps`}
          label="Maximum steps"
          error={errors.maxSteps?.message}
          hint={`Model calls per run, 1 to ${MAX_STEPS_LIMIT}.`}
        >
          <Input
            id={`${id}-steps`}
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_STEPS_LIMIT}
            {...form.register("maxSteps", number)}
            {...describedBy(`${id}-steps`, errors.maxSteps)}
          />
        </Field>
        <Field
          id={`${id}-timeout`}
          label="Timeout (seconds)"
          error={errors.timeoutSeconds?.message}
          hint={`${MIN_TIMEOUT_SECONDS} to ${maxTimeoutSeconds} on this deployment.`}
        >
          <Input
            id={`${id}-timeout`}
            type="number"
            inputMode="numeric"
            min={MIN_TIMEOUT_SECONDS}
            max={maxTimeoutSeconds}
            {...form.register("timeoutSeconds", number)}
            {...describedBy(`${id}-timeout`, errors.timeoutSeconds)}
          />
        </Field>
      </CardContent>
    </Card>
  );
}

/** Which actions wait for an operator: tool calls by name or `server:tool`, and the deliverable. */
export function ApprovalsCard({ form, id }: { form: TemplateForm; id: string }) {
  const { errors } = form.formState;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Approvals</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <Field
          id={`${id}-approval-tools`}
          label="Tools needing approval"
          error={errors.approvalToolsText?.message}
          hint="Tool names or server:tool (e.g. crm:send_*), separated by commas. Each call waits for an operator."
        >
          <Input
            id={`${id}-approval-tools`}
            autoComplete="off"
            className="font-mono"
            {...form.register("approvalToolsText")}
            {...describedBy(`${id}-approval-tools`, errors.approvalToolsText)}
          />
        </Field>
        <div className="flex items-center gap-2">
          <Checkbox id={`${id}-approve-deliverable`} {...form.register("approveDeliverable")} />
          <Label htmlFor={`${id}-approve-deliverable`} className="font-normal">
            The deliverable needs approval before the run completes
          </Label>
        </div>
        <Field
          id={`${id}-approval-timeout`}
          label="Wait for a decision (seconds)"
          error={errors.approvalTimeoutSeconds?.message}
          hint={`${MIN_APPROVAL_TIMEOUT_SECONDS} to ${MAX_APPROVAL_TIMEOUT_SECONDS} (7 days); past it the run fails.`}
        >
          <Input
            id={`${id}-approval-timeout`}
            type="number"
            inputMode="numeric"
            min={MIN_APPROVAL_TIMEOUT_SECONDS}
            max={MAX_APPROVAL_TIMEOUT_SECONDS}
            {...form.register("approvalTimeoutSeconds", {
              setValueAs: (value: string | number) => (value === "" ? Number.NaN : Number(value)),
            })}
            {...describedBy(`${id}-approval-timeout`, errors.approvalTimeoutSeconds)}
          />
        </Field>
      </CardContent>
    </Card>
  );
}
