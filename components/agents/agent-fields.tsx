"use client";

import type { ComponentProps } from "react";
import { Controller, useWatch } from "react-hook-form";
import { FieldError } from "@/components/schedules/field-error";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { plural } from "@/components/plural";
import type { AgentForm, AgentFormOptions } from "./agent-form";
import { CheckboxList } from "./checkbox-list";
import { ModelPicker } from "./model-picker";

/** The agent's name and description, template, model and paired user. */
export function AgentIdentityCard({
  form,
  id,
  options,
}: {
  form: AgentForm;
  id: string;
  options: AgentFormOptions;
}) {
  const { errors } = form.formState;
  const templateId = useWatch({ control: form.control, name: "templateId" });
  const template = options.templates.find((candidate) => candidate.id === templateId);
  return (
    <Card>
      <CardHeader>
        <CardTitle>Agent</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-name`}>Name</Label>
          <Input
            id={`${id}-name`}
            autoComplete="off"
            {...form.register("name")}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? `${id}-name-error` : undefined}
          />
          <FieldError id={`${id}-name-error`} label="Name" message={errors.name?.message} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-description`}>Description</Label>
          <Input
            id={`${id}-description`}
            autoComplete="off"
            {...form.register("description")}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? `${id}-description-error` : undefined}
          />
          <FieldError
            id={`${id}-description-error`}
            label="Description"
            message={errors.description?.message}
          />
        </div>
        <TemplateField form={form} id={id} options={options} found={Boolean(template)} />
        <ModelOverrideField form={form} id={id} inheritedModel={template?.model ?? null} />
        <PairedUserField form={form} id={id} members={options.members} />
      </CardContent>
    </Card>
  );
}

/** The agent's model: none (its template's, named), or an override from the shared picker. */
function ModelOverrideField({
  form,
  id,
  inheritedModel,
}: {
  form: AgentForm;
  id: string;
  inheritedModel: string | null;
}) {
  return (
    <Controller
      control={form.control}
      name="modelOverride"
      render={({ field, fieldState }) => (
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-model`}>Model</Label>
          <ModelPicker
            id={`${id}-model`}
            value={field.value}
            onChange={field.onChange}
            defaultLabel="The template's model"
            inheritedModel={inheritedModel}
            invalid={Boolean(fieldState.error)}
            describedBy={fieldState.error ? `${id}-model-error` : `${id}-model-hint`}
          />
          {fieldState.error ? (
            <FieldError id={`${id}-model-error`} label="Model" message={fieldState.error.message} />
          ) : (
            <p id={`${id}-model-hint`} className="text-muted-foreground text-xs">
              {field.value === null
                ? "Runs use the template's model, or the deployment's default when it names none."
                : "Overrides the template's model for this agent."}
            </p>
          )}
        </div>
      )}
    />
  );
}

/** What the agent may use: skills, MCP servers and knowledge bases. */
export function AgentAccessCard({
  form,
  id,
  options,
}: {
  form: AgentForm;
  id: string;
  options: AgentFormOptions;
}) {
  const offered = new Set(options.skills.map((skill) => skill.id));
  const skillIds = useWatch({ control: form.control, name: "skillIds" });
  const hidden = skillIds.filter((skillId) => !offered.has(skillId)).length;
  return (
    <Card>
      <CardHeader>
        <CardTitle>What it may use</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        <LinkedRowsField
          form={form}
          name="skillIds"
          id={`${id}-skills`}
          legend="Skills"
          hint={`The skills this agent may run.${hidden ? ` It also keeps ${plural(hidden, "disabled skill")}, which cannot run until enabled again.` : ""}`}
          options={options.skills.map((skill) => ({
            id: skill.id,
            label: skill.name,
            note: skill.builtIn ? "built-in" : undefined,
          }))}
          empty="This tenant has no enabled skills."
        />
        <LinkedRowsField
          form={form}
          name="mcpServerIds"
          id={`${id}-mcp`}
          legend="MCP servers"
          hint="Their tools join the agent's built-in tools."
          options={options.mcpServers.map((server) => ({
            id: server.id,
            label: server.name,
            note: server.enabled ? undefined : "disabled",
          }))}
          empty="This tenant has no MCP servers."
        />
        <LinkedRowsField
          form={form}
          name="knowledgeBaseIds"
          id={`${id}-kb`}
          legend="Knowledge bases"
          hint="What its search_knowledge_base tool searches."
          options={options.knowledgeBases.map((base) => ({ id: base.id, label: base.name }))}
          empty="This tenant has no knowledge bases."
        />
      </CardContent>
    </Card>
  );
}

/** One list of rows the agent links to, as checkboxes bound to the form's field of their ids. */
function LinkedRowsField({
  form,
  name,
  ...list
}: {
  form: AgentForm;
  name: "skillIds" | "mcpServerIds" | "knowledgeBaseIds";
} & Omit<ComponentProps<typeof CheckboxList>, "value" | "onChange" | "error">) {
  return (
    <Controller
      control={form.control}
      name={name}
      render={({ field, fieldState }) => (
        <CheckboxList
          {...list}
          value={field.value}
          onChange={field.onChange}
          error={fieldState.error?.message}
        />
      )}
    />
  );
}

function TemplateField({
  form,
  id,
  options,
  found,
}: {
  form: AgentForm;
  id: string;
  options: AgentFormOptions;
  /** The chosen template is one of the options. */
  found: boolean;
}) {
  const { errors } = form.formState;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`${id}-template`}>Template</Label>
      <Select
        id={`${id}-template`}
        {...form.register("templateId")}
        aria-invalid={errors.templateId || !found ? true : undefined}
        aria-describedby={errors.templateId ? `${id}-template-error` : `${id}-template-hint`}
      >
        {!found && <option value="">Choose a template…</option>}
        {options.templates.map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </Select>
      {errors.templateId ? (
        <FieldError
          id={`${id}-template-error`}
          label="Template"
          message={errors.templateId.message}
        />
      ) : (
        <p id={`${id}-template-hint`} className="text-muted-foreground text-xs">
          {options.templates.length
            ? "The system prompt, limits, blocked tools and guardrail the agent runs with."
            : "This tenant has no templates yet: an agent needs one."}
        </p>
      )}
    </div>
  );
}

function PairedUserField({
  form,
  id,
  members,
}: {
  form: AgentForm;
  id: string;
  members: AgentFormOptions["members"];
}) {
  const { errors } = form.formState;
  return (
    <div className="flex flex-col gap-1.5 sm:col-span-2">
      <Label htmlFor={`${id}-paired`}>Paired user</Label>
      <Select
        id={`${id}-paired`}
        {...form.register("pairedUserId", { setValueAs: (value: string) => value || null })}
        aria-invalid={errors.pairedUserId ? true : undefined}
        aria-describedby={errors.pairedUserId ? `${id}-paired-error` : `${id}-paired-hint`}
      >
        <option value="">Nobody</option>
        {members.map((person) => (
          <option key={person.id} value={person.id}>
            {person.name} ({person.email})
          </option>
        ))}
      </Select>
      {errors.pairedUserId ? (
        <FieldError
          id={`${id}-paired-error`}
          label="Paired user"
          message={errors.pairedUserId.message}
        />
      ) : (
        <p id={`${id}-paired-hint`} className="text-muted-foreground text-xs">
          The member the agent acts for when nobody invokes it: a schedule or a webhook.
        </p>
      )}
    </div>
  );
}
