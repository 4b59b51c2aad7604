"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { agentInput, type AgentInput } from "@/lib/schemas/agents";
import { fieldErrorLine } from "@/lib/skill-inputs";
import { AgentAccessCard, AgentIdentityCard } from "./agent-fields";
import { ApprovalPolicyCard } from "./approval-policy-card";
import {
  fieldWithError,
  initialValues,
  type AgentForm,
  type AgentFormFields,
  type AgentFormOptions,
  type SavedAgent,
} from "./agent-form";
import { ConfigPreview } from "./config-preview";
import { UnsavedChangesGuard } from "./unsaved-changes";

/** Create an agent (no `agent`) or edit one, with the preview of what saving would change. */
export function AgentEditor({ agent }: { agent?: SavedAgent }) {
  const trpc = useTRPC();
  const options = useQuery(trpc.agents.formOptions.queryOptions());
  if (options.isError) return <QueryError title="The editor could not be loaded" query={options} />;
  if (!options.data) return <Skeleton className="h-96" aria-label="Loading the editor" />;
  return <LoadedEditor agent={agent ?? null} options={options.data} />;
}

/** The first field showing an error, brought into view and focused once React has drawn it. */
function focusFirstError(form: HTMLFormElement | null) {
  requestAnimationFrame(() => {
    const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    first?.scrollIntoView({ block: "center", behavior: "smooth" });
    first?.focus({ preventScroll: true });
  });
}

/** Saves the form (create or update); the server's field errors go back onto their fields. */
function useSaveAgent(form: AgentForm, agent: SavedAgent | null, onInvalid: () => void) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const create = useMutation(trpc.agents.create.mutationOptions());
  const update = useMutation(trpc.agents.update.mutationOptions());
  const save = async (values: AgentInput) => {
    try {
      const saved = agent
        ? await update.mutateAsync({ agentId: agent.id, agent: values })
        : await create.mutateAsync(values);
      // Saved: the form's values are the agent's now, so leaving asks nothing.
      form.reset(values);
      await queryClient.invalidateQueries({ queryKey: trpc.agents.pathKey() });
      toast.success(agent ? "Agent saved" : "Agent created");
      if (!agent) router.push(`/agents/${saved.id}`);
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (!fieldErrors) {
        toast.error(error instanceof Error ? error.message : "The agent could not be saved.");
        return;
      }
      const unplaced = setServerFieldErrors(form.setError, fieldErrors, fieldWithError);
      const rest = Object.entries(unplaced).flatMap(([key, messages]) =>
        messages.map((message) => fieldErrorLine(key, message)),
      );
      if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
      onInvalid();
    }
  };
  return { save, pending: create.isPending || update.isPending };
}

function LoadedEditor({ agent, options }: { agent: SavedAgent | null; options: AgentFormOptions }) {
  const id = useId();
  const formElement = useRef<HTMLFormElement>(null);
  const form = useForm<AgentFormFields, unknown, AgentInput>({
    resolver: zodResolver(agentInput),
    defaultValues: initialValues(agent, options),
    reValidateMode: "onChange",
    shouldFocusError: false,
  });
  const { errors, isDirty } = form.formState;
  const onInvalid = () => focusFirstError(formElement.current);
  const { save, pending } = useSaveAgent(form, agent, onInvalid);

  return (
    <form
      ref={formElement}
      noValidate
      aria-label={agent ? `Edit ${agent.name}` : "New agent"}
      className="flex flex-col gap-6"
      onSubmit={(event) => {
        form.clearErrors("root.server");
        void form.handleSubmit(save, onInvalid)(event);
      }}
    >
      <UnsavedChangesGuard dirty={isDirty && !pending} />
      <div className="grid items-start gap-6 xl:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-6">
          <AgentIdentityCard form={form} id={id} options={options} />
          <AgentAccessCard form={form} id={id} options={options} />
          <ApprovalPolicyCard form={form} id={id} options={options} />
        </div>
        <div className="min-w-0 xl:sticky xl:top-6">
          <ConfigPreview agentId={agent?.id ?? null} form={form} dirty={isDirty} />
        </div>
      </div>
      {errors.root?.server && (
        <Alert variant="destructive">
          <AlertTitle>The agent was not saved</AlertTitle>
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        {agent ? (
          <Button
            type="button"
            variant="outline"
            disabled={!isDirty || pending}
            onClick={() => form.reset()}
          >
            Discard changes
          </Button>
        ) : (
          <Button variant="outline" asChild>
            <Link href="/agents">Cancel</Link>
          </Button>
        )}
        <Button type="submit" disabled={pending || (agent !== null && !isDirty)}>
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Save aria-hidden />}
          {agent ? "Save agent" : "Create agent"}
        </Button>
      </div>
    </form>
  );
}
