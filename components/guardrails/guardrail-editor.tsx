"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation } from "@tanstack/react-query";
import { useId } from "react";
import { useForm } from "react-hook-form";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { CatalogEditorFrame, useCatalogSave } from "@/components/catalog/catalog-editor";
import type { GuardrailInput } from "@/lib/schemas/guardrails";
import { GuardrailAboutCard, GuardrailRulesCard } from "./guardrail-fields";
import {
  formFieldsOf,
  guardrailFieldOf,
  guardrailFormSchema,
  guardrailOf,
  NEW_GUARDRAIL,
  type GuardrailFormFields,
  type GuardrailFormValues,
} from "./guardrail-form";
import { GuardrailTestBox } from "./guardrail-test-box";

/** The guardrail's form and its "Test this text" box: editable for admins, read-only below. */
export function GuardrailEditor({
  guardrailId,
  initial = NEW_GUARDRAIL,
}: {
  guardrailId?: string;
  initial?: GuardrailInput;
}) {
  const trpc = useTRPC();
  const id = useId();
  const { can } = useTenantRole();
  const editable = can("admin");
  const form = useForm<GuardrailFormFields, unknown, GuardrailFormValues>({
    resolver: zodResolver(guardrailFormSchema),
    defaultValues: formFieldsOf(initial),
    disabled: !editable,
    reValidateMode: "onChange",
  });
  const create = useMutation(trpc.guardrails.create.mutationOptions());
  const update = useMutation(trpc.guardrails.update.mutationOptions());
  const save = useCatalogSave(form, {
    what: "guardrail",
    rowId: guardrailId,
    rowOf: guardrailOf,
    fieldsOf: formFieldsOf,
    fieldOf: guardrailFieldOf,
    create: create.mutateAsync,
    update: (rowId, guardrail) => update.mutateAsync({ guardrailId: rowId, guardrail }),
    invalidate: [trpc.guardrails.pathKey(), trpc.templates.pathKey()],
    hrefOf: (rowId) => `/agents/guardrails/${rowId}`,
  });
  return (
    <CatalogEditorFrame
      what="guardrail"
      rowId={guardrailId}
      form={form}
      editable={editable}
      onSave={save}
      pending={create.isPending || update.isPending}
      cancelHref="/agents/guardrails"
      main={
        <>
          <GuardrailAboutCard form={form} id={id} />
          <GuardrailRulesCard form={form} id={id} />
        </>
      }
      side={<GuardrailTestBox form={form} />}
    />
  );
}
