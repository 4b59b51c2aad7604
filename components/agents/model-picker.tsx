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
 * A `provider:model` picker: the deployment default (null), the models Skillrun knows grouped by
 * provider, each provider marked when its settings are missing, or any other name typed in.
 * Shared by templates (default model) and agents (model override); `defaultLabel` names what
 * null means where it is used.
 */
export function ModelPicker({
  id,
  value,
  onChange,
  disabled,
  invalid,
  describedBy,
  defaultLabel = "Deployment default",
}: {
  id: string;
  value: string | null;
  onChange: (model: string | null) => void;
  disabled?: boolean;
  invalid?: boolean;
  describedBy?: string;
  defaultLabel?: string;
}) {
  const trpc = useTRPC();
  const choices = useQuery(trpc.templates.modelChoices.queryOptions());
  const listed = choices.data?.providers.some((provider) =>
    provider.models.some((model) => model === value),
  );
  const [typing, setTyping] = useState(false);
  if (!choices.data)
    return choices.isError ? (
      // Without the list the name can still be typed.
      <Input
        id={id}
        value={value ?? ""}
        onChange={(event) => onChange(event.target.value.trim() || null)}
        placeholder="provider:model (empty: deployment default)"
        disabled={disabled}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        className="font-mono"
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
        <ModelOptions choices={choices.data} defaultLabel={defaultLabel} />
        <option value={OTHER}>Another model…</option>
      </Select>
      {other && (
        <Input
          aria-label="Model name, provider:model"
          value={value ?? ""}
          onChange={(event) => onChange(event.target.value.trim() || null)}
          placeholder={`${providers.map((provider) => provider.id).join(", ")} : model`}
          disabled={disabled}
          aria-invalid={invalid || undefined}
          className="font-mono"
          autoComplete="off"
        />
      )}
      {chosen && !chosen.configured && <NotConfigured provider={chosen} />}
    </div>
  );
}

type Choices = {
  deploymentDefault: { model: string; configured: boolean };
  providers: Provider[];
};
type Provider = { id: string; configured: boolean; missingSettings: string[]; models: string[] };

function ModelOptions({
  choices: { deploymentDefault, providers },
  defaultLabel,
}: {
  choices: Choices;
  defaultLabel: string;
}) {
  return (
    <>
      <option value="">
        {`${defaultLabel} (${deploymentDefault.model}${deploymentDefault.configured ? "" : ", not configured"})`}
      </option>
      {providers
        .filter((provider) => provider.models.length > 0)
        .map((provider) => (
          <optgroup
            key={provider.id}
            label={
              provider.configured
                ? provider.id
                : `${provider.id} — not configured (set ${provider.missingSettings.join(", ")})`
            }
          >
            {provider.models.map((model) => (
              <option key={model} value={model}>
                {provider.configured ? model : `${model} (not configured)`}
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
      {provider.id} is not configured on this deployment: runs fail until {settings.join(" and ")}{" "}
      {settings.length === 1 ? "is" : "are"} set.
    </p>
  );
}
