"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useForm } from "react-hook-form";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { Skeleton } from "@/components/ui/skeleton";
import type { TemplateInput } from "@/lib/schemas/templates";
import { CatalogEditorFrame, useCatalogSave } from "@/components/catalog/catalog-editor";
import {
  formFieldsOf,
  NEW_TEMPLATE,
  templateFieldOf,
  templateFormSchema,
  templateOf,
  type TemplateFormFields,
  type TemplateFormValues,
} from "./template-form";
import {
  ApprovalsCard,
  GuardrailAndLimitsCard,
  ModelAndToolsCard,
  SystemPromptCard,
  TemplateAboutCard,
} from "./template-fields";

type GuardrailOption = { id: string; name: string; isTenantDefault: boolean };

/** The template's form: editable for admins, read-only for everyone else. */
export function TemplateEditor({
  templateId,
  initial,
}: {
  templateId?: string;
  initial?: TemplateInput;
}) {
  const trpc = useTRPC();
  const guardrails = useQuery(trpc.guardrails.list.queryOptions());
  const limits = useQuery(trpc.templates.limits.queryOptions());
  if (guardrails.isError)
    return <QueryError title="Guardrails could not be loaded" query={guardrails} />;
  if (limits.isError) return <QueryError title="Limits could not be loaded" query={limits} />;
  if (!guardrails.data || !limits.data)
    return <Skeleton className="h-96" aria-label="Loading the editor" />;
  return (
    <LoadedEditor
      templateId={templateId}
      initial={initial ?? NEW_TEMPLATE}
      guardrails={guardrails.data}
      maxTimeoutSeconds={limits.data.maxTimeoutSeconds}
    />
  );
}

function LoadedEditor({
  templateId,
  initial,
  guardrails,
  maxTimeoutSeconds,
}: {
  templateId?: string;
  initial: TemplateInput;
  guardrails: GuardrailOption[];
  maxTimeoutSeconds: number;
}) {
  const trpc = useTRPC();
  const id = useId();
  const { can } = useTenantRole();
  const editable = can("admin");
  const form = useForm<TemplateFormFields, unknown, TemplateFormValues>({
    resolver: zodResolver(templateFormSchema(maxTimeoutSeconds)),
    defaultValues: formFieldsOf(initial),
    disabled: !editable,
    reValidateMode: "onChange",
  });
  const create = useMutation(trpc.templates.create.mutationOptions());
  const update = useMutation(trpc.templates.update.mutationOptions());
  const save = useCatalogSave(form, {
    what: "template",
    rowId: templateId,
    rowOf: templateOf,
    fieldsOf: formFieldsOf,
    fieldOf: templateFieldOf,
    create: create.mutateAsync,
    update: (rowId, template) => update.mutateAsync({ templateId: rowId, template }),
    invalidate: [trpc.templates.pathKey(), trpc.agents.pathKey()],
    hrefOf: (rowId) => `/agents/templates/${rowId}`,
  });
  return (
    <CatalogEditorFrame
      what="template"
      rowId={templateId}
      form={form}
      editable={editable}
      onSave={save}
      pending={create.isPending || update.isPending}
      cancelHref="/agents/templates"
      main={
        <>
          <TemplateAboutCard form={form} id={id} />
          <SystemPromptCard form={form} id={id} />
        </>
      }
      side={
        <>
          <ModelAndToolsCard form={form} id={id} />
          <GuardrailAndLimitsCard
            form={form}
            id={id}
            guardrails={guardrails}
            maxTimeoutSeconds={maxTimeoutSeconds}
          />
          <ApprovalsCard form={form} id={id} />
        </>
      }
    />
  );
}
