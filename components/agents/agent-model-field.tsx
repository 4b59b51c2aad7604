"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { FieldError } from "@/components/schedules/field-error";

const INHERIT = "";
const OTHER = "__other__";

/**
 * The agent's model: none (the template's model, named), a `provider:model` from the suggested
 * choices (a provider whose settings are missing on this deployment says so), or any other
 * `provider:model` typed in.
 */
export function AgentModelField({
  id,
  value,
  onChange,
  inheritedModel,
  error,
}: {
  id: string;
  value: string | null;
  onChange: (value: string | null) => void;
  /** What the agent runs without an override: its template's model, else the deployment default. */
  inheritedModel: string | null;
  error?: string;
}) {
  const trpc = useTRPC();
  const choices = useQuery(trpc.agents.modelChoices.queryOptions());
  const suggested = choices.data?.providers.flatMap((provider) => provider.models) ?? [];
  const [typing, setTyping] = useState(false);
  const isOther = typing || (value !== null && choices.isSuccess && !suggested.includes(value));
  const selected = value === null && !typing ? INHERIT : isOther ? OTHER : value;
  const provider = value
    ? choices.data?.providers.find((p) => value.startsWith(`${p.provider}:`))
    : null;

  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`${id}-model`}>Model</Label>
      <Select
        id={`${id}-model`}
        value={selected ?? INHERIT}
        aria-invalid={error && !isOther ? true : undefined}
        aria-describedby={error ? `${id}-model-error` : `${id}-model-hint`}
        onChange={(event) => {
          const next = event.target.value;
          setTyping(next === OTHER);
          onChange(next === INHERIT ? null : next === OTHER ? (value ?? "") : next);
        }}
      >
        <option value={INHERIT}>
          The template&apos;s model{inheritedModel ? ` (${inheritedModel})` : ""}
        </option>
        <ModelOptions providers={choices.data?.providers ?? []} />
        <option value={OTHER}>Another provider:model…</option>
      </Select>
      {isOther && (
        <>
          <Label htmlFor={`${id}-model-name`} className="sr-only">
            Model name
          </Label>
          <Input
            id={`${id}-model-name`}
            value={value ?? ""}
            placeholder="provider:model, e.g. openai-compatible:llama3.1"
            autoComplete="off"
            aria-invalid={error ? true : undefined}
            onChange={(event) => onChange(event.target.value)}
          />
        </>
      )}
      {error ? (
        <FieldError id={`${id}-model-error`} label="Model" message={error} />
      ) : (
        <p id={`${id}-model-hint`} className="text-muted-foreground text-xs">
          {provider && !provider.configured
            ? `This deployment has no ${provider.label} credentials: runs fail until ${provider.missingSettings.join(", ")} is set.`
            : value === null
              ? "Runs use the template's model, or the deployment's default when it names none."
              : "Overrides the template's model for this agent."}
        </p>
      )}
    </div>
  );
}

type ProviderChoices = {
  provider: string;
  label: string;
  models: string[];
  configured: boolean;
  missingSettings: string[];
};

/** The suggested models by provider; a provider without its settings here says which are missing. */
function ModelOptions({ providers }: { providers: ProviderChoices[] }) {
  return (
    <>
      {providers.map((group) => (
        <optgroup
          key={group.provider}
          label={
            group.configured
              ? group.label
              : `${group.label} — not configured (set ${group.missingSettings.join(", ")})`
          }
        >
          {group.models.map((model) => (
            <option key={model} value={model}>
              {model}
              {group.configured ? "" : " — not configured"}
            </option>
          ))}
        </optgroup>
      ))}
    </>
  );
}
