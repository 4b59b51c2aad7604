"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import {
  ReadOnlyNotice,
  SaveBar,
  showSaveError,
  useUnsavedChangesGuard,
} from "@/components/catalog/form-parts";
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
  const router = useRouter();
  const queryClient = useQueryClient();
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
  useUnsavedChangesGuard(form.formState.isDirty && !form.formState.isSubmitSuccessful);

  const save = async (values: GuardrailFormValues) => {
    const guardrail = guardrailOf(values);
    try {
      const saved = guardrailId
        ? await update.mutateAsync({ guardrailId, guardrail })
        : await create.mutateAsync(guardrail);
      form.reset(formFieldsOf(guardrail));
      await queryClient.invalidateQueries({ queryKey: trpc.guardrails.pathKey() });
      await queryClient.invalidateQueries({ queryKey: trpc.templates.pathKey() });
      toast.success(guardrailId ? "Guardrail saved" : "Guardrail created");
      if (!guardrailId) router.push(`/agents/guardrails/${saved.id}`);
    } catch (error) {
      showSaveError(form.setError, error, guardrailFieldOf, "The guardrail could not be saved.");
    }
  };

  return (
    <form
      noValidate
      aria-label={guardrailId ? "Edit guardrail" : "New guardrail"}
      className="flex max-w-6xl flex-col gap-6"
      onSubmit={(event) => void form.handleSubmit(save)(event)}
    >
      {!editable && <ReadOnlyNotice what="guardrail" />}
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-6">
          <GuardrailAboutCard form={form} id={id} />
          <GuardrailRulesCard form={form} id={id} />
        </div>
        <div className="min-w-0">
          <GuardrailTestBox form={form} />
        </div>
      </div>
      {editable && (
        <SaveBar
          what="guardrail"
          serverError={form.formState.errors.root?.server?.message}
          cancelHref="/agents/guardrails"
          pending={create.isPending || update.isPending}
          saveLabel={guardrailId ? "Save guardrail" : "Create guardrail"}
        />
      )}
    </form>
  );
}
