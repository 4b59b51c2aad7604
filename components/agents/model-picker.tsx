"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";

/** The select's value for "type a provider:model of your own". */
const OTHER = "__other__";

/**
 * A `provider:model` picker: what null means (the deployment default, or for an agent its
 * template's model), the models Skillrun knows grouped by provider, each provider marked when its
 * settings are missing, or any other name typed in. Shared by templates (default model) and
 * agents (model override); `defaultLabel` names what null means where it is used and
 * `inheritedModel` the model it stands for when that is not the deployment default.
 */
export function ModelPicker({
  id,
  value,
  onChange,
  disabled,
  invalid,
  describedBy,
  defaultLabel = "Deployment default",
  inheritedModel = null,
}: {
  id: string;
  value: string | null;
  onChange: (model: string | null) => void;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
  defaultLabel?: string;
  inheritedModel?: string | null;
}) {
  const trpc = useTRPC();
  const choices = useQuery(trpc.models.choices.queryOptions());
  const listed = choices.data?.providers.some((provider) =>
    provider.models.some((model) => model === value),
  );
  const [typing, setTyping] = useState(false);
  if (!choices.data)
    return choices.isError ? (
      // Without the list the name can still be typed.
      <TypedModel
        id={id}
        value={value}
        onChange={onChange}
        placeholder="provider:model (empty: deployment default)"
        disabled={disabled}
        invalid={invalid}
        describedBy={describedBy}
      />
    ) : (
      <Skeleton className="h-9" aria-label="Loading models" />
    );
  const { providers } = choices.data;
  const other = typing || (value !== null && !listed);
  const providerOf = (model: string | null) =>
    model ? providers.find((provider) => model.startsWith(`${provider.id}:`)) : undefined;
  const chosen = value === null ? null : providerOf(value);
  return (
    <div className="flex flex-col gap-2">
      <Select
        id={id}
        value={other ? OTHER : (value ?? "")}
        disabled={disabled}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        onChange={(event) => {
          const next = event.target.value;
          setTyping(next === OTHER);
          if (next !== OTHER) onChange(next || null);
        }}
      >
        <ModelOptions
          choices={choices.data}
          defaultLabel={defaultLabel}
          inheritedModel={inheritedModel}
        />
        <option value={OTHER}>Another model…</option>
      </Select>
      {other && (
        <TypedModel
          ariaLabel="Model name, provider:model"
          value={value}
          onChange={onChange}
          placeholder={`${providers.map((provider) => provider.id).join(", ")} : model`}
          disabled={disabled}
          invalid={invalid}
        />
      )}
      {chosen && !chosen.configured && <NotConfigured provider={chosen} />}
    </div>
  );
}

/** A `provider:model` typed in; empty means null. */
function TypedModel({
  id,
  ariaLabel,
  value,
  onChange,
  placeholder,
  disabled,
  invalid,
  describedBy,
}: {
  id?: string;
  ariaLabel?: string;
  value: string | null;
  onChange: (model: string | null) => void;
  placeholder: string;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
}) {
  return (
    <Input
      id={id}
      aria-label={ariaLabel}
      value={value ?? ""}
      onChange={(event) => onChange(event.target.value.trim() || null)}
      placeholder={placeholder}
      disabled={disabled}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      className="font-mono"
      autoComplete="off"
    />
  );
}

type Choices = {
  deploymentDefault: { model: string; configured: boolean };
  providers: Provider[];
};
type Provider = {
  id: string;
  label: string;
  configured: boolean;
  missingSettings: string[];
  models: string[];
};

function ModelOptions({
  choices: { deploymentDefault, providers },
  defaultLabel,
  inheritedModel,
}: {
  choices: Choices;
  defaultLabel: string;
  inheritedModel: string | null;
}) {
  const inherited = inheritedModel ?? deploymentDefault.model;
  const inheritedConfigured = inheritedModel
    ? (providers.find((provider) => inheritedModel.startsWith(`${provider.id}:`))?.configured ??
      false)
    : deploymentDefault.configured;
  return (
    <>
      <option value="">
        {`${defaultLabel} (${inherited}${inheritedConfigured ? "" : ", not configured"})`}
      </option>
      {providers
        .filter((provider) => provider.models.length > 0)
        .map((provider) => (
          <optgroup
            key={provider.id}
            label={
              provider.configured
                ? provider.label
                : `${provider.label} — not configured (set ${provider.missingSettings.join(", ")})`
            }
          >
            {provider.models.map((model) => (
              <option key={model} value={model}>
                {provider.configured ? model : `${model} — not configured`}
              </option>
            ))}
          </optgroup>
        ))}
    </>
  );
}

function NotConfigured({ provider }: { provider: Provider }) {
  const settings = provider.missingSettings;
  return (
    <p className="text-warning text-xs">
      {provider.label} is not configured on this deployment: runs fail until{" "}
      {settings.join(" and ")} {settings.length === 1 ? "is" : "are"} set.
    </p>
  );
}
