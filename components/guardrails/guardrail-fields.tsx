"use client";

import { useWatch } from "react-hook-form";
import { describedBy, Field, NameAndDescriptionCard } from "@/components/catalog/form-parts";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Textarea } from "@/components/ui/textarea";
import { MAX_PATTERN_CHARS } from "@/lib/guardrail-patterns";
import { MAX_DELIVERABLE_CHARS_LIMIT } from "@/lib/schemas/guardrails";
import type { GuardrailForm } from "./guardrail-form";

export function GuardrailAboutCard({ form, id }: { form: GuardrailForm; id: string }) {
  return (
    <NameAndDescriptionCard
      title="Guardrail"
      id={id}
      name={form.register("name")}
      description={form.register("description")}
      errors={form.formState.errors}
    >
      <div className="flex items-start gap-2">
        <Checkbox
          id={`${id}-default`}
          className="mt-0.5"
          {...form.register("isTenantDefault")}
          aria-describedby={`${id}-default-hint`}
        />
        <div>
          <Label htmlFor={`${id}-default`}>Tenant default</Label>
          <p id={`${id}-default-hint`} className="text-muted-foreground text-xs">
            Applies to every template that names no guardrail. Only one guardrail is the default:
            choosing this one unsets the other.
          </p>
        </div>
      </div>
    </NameAndDescriptionCard>
  );
}

export function GuardrailRulesCard({ form, id }: { form: GuardrailForm; id: string }) {
  const { errors } = form.formState;
  const [terms, patterns] = useWatch({
    control: form.control,
    name: ["deniedTermsText", "deniedPatternsText"],
  });
  const count = (text: string) => text.split("\n").filter((line) => line.trim()).length;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Rules</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <Field
          id={`${id}-terms`}
          label="Denied terms"
          error={errors.deniedTermsText?.message}
          hint={`One per line, matched anywhere, ignoring case (${count(terms)} now). A run whose inputs or deliverable holds one fails.`}
        >
          <Textarea
            id={`${id}-terms`}
            spellCheck={false}
            className="min-h-24 resize-y font-mono text-xs"
            {...form.register("deniedTermsText")}
            {...describedBy(`${id}-terms`, errors.deniedTermsText)}
          />
        </Field>
        <Field
          id={`${id}-patterns`}
          label="Denied patterns"
          error={errors.deniedPatternsText?.message}
          hint={`One regular expression per line (RE2 syntax: no look-aheads or back-references), ignoring case, at most ${MAX_PATTERN_CHARS} characters each (${count(patterns)} now). Matched in time linear in the text.`}
        >
          <Textarea
            id={`${id}-patterns`}
            spellCheck={false}
            className="min-h-24 resize-y font-mono text-xs"
            {...form.register("deniedPatternsText")}
            {...describedBy(`${id}-patterns`, errors.deniedPatternsText)}
          />
        </Field>
        <PiiAndSizeFields form={form} id={id} />
      </CardContent>
    </Card>
  );
}

function PiiAndSizeFields({ form, id }: { form: GuardrailForm; id: string }) {
  const { errors } = form.formState;
  // Called with the stored value too (null for "no limit"), not only with the input's text.
  const number = {
    setValueAs: (value: string | number | null) =>
      value === "" || value === null ? null : Number(value),
  };
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      <Field
        id={`${id}-pii`}
        label="Personal data"
        error={errors.pii?.message}
        hint="Email addresses, payment card and phone numbers."
      >
        <Select
          id={`${id}-pii`}
          {...form.register("pii")}
          {...describedBy(`${id}-pii`, errors.pii)}
        >
          <option value="off">Not checked</option>
          <option value="mask">Masked</option>
          <option value="block">Blocked (run fails)</option>
        </Select>
      </Field>
      <Field
        id={`${id}-max`}
        label="Maximum deliverable size"
        error={errors.maxDeliverableChars?.message}
        hint={`In characters, up to ${MAX_DELIVERABLE_CHARS_LIMIT.toLocaleString("en-US")}; empty for no limit.`}
      >
        <Input
          id={`${id}-max`}
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_DELIVERABLE_CHARS_LIMIT}
          placeholder="No limit"
          {...form.register("maxDeliverableChars", number)}
          {...describedBy(`${id}-max`, errors.maxDeliverableChars)}
        />
      </Field>
    </div>
  );
}
