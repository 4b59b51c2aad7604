"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { Skeleton } from "@/components/ui/skeleton";
import type { TemplateInput } from "@/lib/schemas/templates";
import {
  ReadOnlyNotice,
  SaveBar,
  showSaveError,
  useUnsavedChangesGuard,
} from "@/components/catalog/form-parts";
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
  const router = useRouter();
  const queryClient = useQueryClient();
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
  const pending = create.isPending || update.isPending;
  useUnsavedChangesGuard(form.formState.isDirty && !form.formState.isSubmitSuccessful);

  const save = async (values: TemplateFormValues) => {
    const template = templateOf(values);
    try {
      const saved = templateId
        ? await update.mutateAsync({ templateId, template })
        : await create.mutateAsync(template);
      form.reset(formFieldsOf(template));
      await queryClient.invalidateQueries({ queryKey: trpc.templates.pathKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
      toast.success(templateId ? "Template saved" : "Template created");
      if (!templateId) router.push(`/agents/templates/${saved.id}`);
    } catch (error) {
      showSaveError(form.setError, error, templateFieldOf, "The template could not be saved.");
    }
  };

  const { errors } = form.formState;
  return (
    <form
      noValidate
      aria-label={templateId ? "Edit template" : "New template"}
      className="flex max-w-6xl flex-col gap-6"
      onSubmit={(event) => void form.handleSubmit(save)(event)}
    >
      {!editable && <ReadOnlyNotice what="template" />}
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-6">
          <TemplateAboutCard form={form} id={id} />
          <SystemPromptCard form={form} id={id} />
        </div>
        <div className="flex min-w-0 flex-col gap-6">
          <ModelAndToolsCard form={form} id={id} />
          <GuardrailAndLimitsCard
            form={form}
            id={id}
            guardrails={guardrails}
            maxTimeoutSeconds={maxTimeoutSeconds}
          />
        </div>
      </div>
      {editable && (
        <SaveBar
          what="template"
          serverError={errors.root?.server?.message}
          cancelHref="/agents/templates"
          pending={pending}
          saveLabel={templateId ? "Save template" : "Create template"}
        />
      )}
    </form>
  );
}
