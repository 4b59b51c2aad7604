"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Play } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useMemo, useState, type KeyboardEvent } from "react";
import { useForm, type Resolver } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { SkillInputsFields } from "@/components/skills/skill-inputs-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import {
  compileSkillInputs,
  fromFormValues,
  inputFieldsOf,
  toFormValues,
  type FormValues,
  type InputField,
  type InputsSchema,
} from "@/lib/skill-inputs";
import { formatRelative } from "@/components/format";
import { runLabelText } from "./run-label";

export type RunNowRequest = {
  skillSlug: string;
  /** Prefill: a previous run's inputs (re-run with changes) or nothing (the schema's defaults). */
  inputs?: Record<string, unknown>;
  agentId?: string | null;
  /** Set when re-running: the new run is linked to this one. */
  rerunOf?: string;
};

export function RunNowDialog({
  request,
  onClose,
}: {
  request: RunNowRequest | null;
  onClose: () => void;
}) {
  return (
    <Dialog open={request !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent aria-describedby={undefined}>
        {request && <RunNowForm key={JSON.stringify(request)} request={request} onDone={onClose} />}
      </DialogContent>
    </Dialog>
  );
}

function RunNowForm({ request, onDone }: { request: RunNowRequest; onDone: () => void }) {
  const trpc = useTRPC();
  const skill = useQuery(trpc.skills.get.queryOptions({ slug: request.skillSlug }));
  const agents = useQuery(trpc.agents.list.queryOptions());

  if (skill.isError || agents.isError) {
    return (
      <>
        <DialogHeader>
          <DialogTitle>Run now</DialogTitle>
        </DialogHeader>
        <DialogBody>
          <Alert variant="destructive">
            <AlertDescription>{(skill.error ?? agents.error)?.message}</AlertDescription>
          </Alert>
        </DialogBody>
      </>
    );
  }
  if (!skill.data || !agents.data) {
    return (
      <>
        <DialogHeader>
          <DialogTitle>Run now</DialogTitle>
        </DialogHeader>
        <DialogBody className="flex flex-col gap-3" aria-busy="true">
          <Skeleton className="h-9" />
          <Skeleton className="h-24" />
          <Skeleton className="h-9" />
        </DialogBody>
      </>
    );
  }
  return (
    <LoadedRunNowForm request={request} skill={skill.data} agents={agents.data} onDone={onDone} />
  );
}

type SkillForForm = {
  id: string;
  slug: string;
  name: string;
  description: string;
  inputsSchema: InputsSchema;
};
type AgentOption = {
  id: string;
  name: string;
  isDefault: boolean;
  configured: boolean;
  model: string;
};

function LoadedRunNowForm({
  request,
  skill,
  agents,
  onDone,
}: {
  request: RunNowRequest;
  skill: SkillForForm;
  agents: AgentOption[];
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const idPrefix = useId();
  const fields: InputField[] = useMemo(
    () => inputFieldsOf(skill.inputsSchema),
    [skill.inputsSchema],
  );
  const validate = useMemo(() => compileSkillInputs(skill.inputsSchema), [skill.inputsSchema]);
  const defaultAgent = agents.find((agent) => agent.isDefault) ?? agents[0];
  const [agentId, setAgentId] = useState(request.agentId ?? defaultAgent?.id ?? "");
  const [formError, setFormError] = useState<string | null>(null);
  const previousRuns = useQuery(trpc.runs.list.queryOptions({ skillId: skill.id, limit: 10 }));
  // One key per dialog: a double submit (or a retry after a lost answer) starts one run.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  const resolver: Resolver<FormValues> = (values) => {
    const result = validate(fromFormValues(fields, values));
    if (result.valid) return { values, errors: {} };
    return {
      values: {},
      errors: Object.fromEntries(
        Object.entries(result.fieldErrors).map(([name, messages]) => [
          name,
          { type: "schema", message: messages.join("; ") },
        ]),
      ),
    };
  };
  const form = useForm<FormValues>({
    defaultValues: toFormValues(fields, request.inputs),
    resolver,
    mode: "onSubmit",
    reValidateMode: "onChange",
  });

  const start = useMutation(trpc.runs.start.mutationOptions());
  const rerun = useMutation(trpc.runs.rerun.mutationOptions());
  const pending = start.isPending || rerun.isPending;

  const onSubmit = form.handleSubmit(async (values) => {
    if (pending) return;
    setFormError(null);
    const inputs = fromFormValues(fields, values);
    try {
      const { runId } = request.rerunOf
        ? await rerun.mutateAsync({ runId: request.rerunOf, inputs, agentId: agentId || null })
        : await start.mutateAsync({
            skillSlug: skill.slug,
            agentId: agentId || undefined,
            inputs,
            idempotencyKey,
          });
      await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
      toast.success(`${skill.name} started`);
      onDone();
      router.push(`/runs/${runId}`);
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (fieldErrors) {
        for (const [name, messages] of Object.entries(fieldErrors)) {
          if (fields.some((field) => field.name === name))
            form.setError(name, { type: "server", message: messages.join("; ") });
          else setFormError(`${name || "Inputs"} ${messages.join("; ")}`);
        }
      } else {
        setFormError(error instanceof Error ? error.message : "The run could not be started.");
      }
    }
  });

  const prefillFrom = async (runId: string) => {
    if (!runId) return;
    try {
      const run = await queryClient.fetchQuery(trpc.runs.get.queryOptions({ runId }));
      form.reset(toFormValues(fields, run.inputs));
      if (run.agent) setAgentId(run.agent.id);
      toast.message("Inputs copied from the earlier run");
    } catch (error) {
      toast.error(
        `The earlier run could not be read: ${error instanceof Error ? error.message : "unknown error"}`,
      );
    }
  };

  // Enter submits from single-line controls natively; from a text area, Ctrl/⌘+Enter does.
  const submitFromTextarea = (event: KeyboardEvent<HTMLFormElement>) => {
    if (
      event.key === "Enter" &&
      (event.metaKey || event.ctrlKey) &&
      event.target instanceof HTMLTextAreaElement
    ) {
      event.preventDefault();
      void onSubmit();
    }
  };
  const selectedAgent = agents.find((agent) => agent.id === agentId);

  return (
    <form
      onSubmit={(event) => void onSubmit(event)}
      onKeyDown={submitFromTextarea}
      noValidate
      className="flex min-h-0 flex-col"
      aria-label={`Run ${skill.name}`}
    >
      <DialogHeader>
        <DialogTitle>{request.rerunOf ? `Re-run ${skill.name}` : `Run ${skill.name}`}</DialogTitle>
        <DialogDescription>{skill.description}</DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-5">
        <div className="grid grid-cols-2 gap-4">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${idPrefix}-agent`}>Agent</Label>
            <Select
              id={`${idPrefix}-agent`}
              value={agentId}
              onChange={(event) => setAgentId(event.target.value)}
              disabled={agents.length === 0}
            >
              {agents.length === 0 && <option value="">No agents in this tenant</option>}
              {agents.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                  {agent.isDefault ? " (default)" : ""}
                  {agent.configured ? "" : " — model not configured"}
                </option>
              ))}
            </Select>
            {selectedAgent && !selectedAgent.configured && (
              <p className="text-warning text-xs">
                {selectedAgent.model} is not configured here; this run will fail with
                model_not_configured.
              </p>
            )}
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${idPrefix}-prefill`}>Prefill from a previous run</Label>
            <Select
              id={`${idPrefix}-prefill`}
              defaultValue=""
              onChange={(event) => void prefillFrom(event.target.value)}
              disabled={!previousRuns.data?.runs.length}
            >
              <option value="">
                {previousRuns.isPending
                  ? "Loading…"
                  : previousRuns.data?.runs.length
                    ? "Choose a run…"
                    : "No earlier runs"}
              </option>
              {previousRuns.data?.runs.map((run) => (
                <option key={run.id} value={run.id}>
                  {runLabelText(run, formatRelative(run.createdAt), run.status)}
                </option>
              ))}
            </Select>
          </div>
        </div>
        <SkillInputsFields
          fields={fields}
          register={form.register}
          errors={form.formState.errors}
          idPrefix={idPrefix}
        />
        {formError && (
          <Alert variant="destructive">
            <AlertDescription>{formError}</AlertDescription>
          </Alert>
        )}
      </DialogBody>
      <DialogFooter>
        <span className="text-muted-foreground mr-auto text-xs">Enter runs · Esc closes</span>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending}>
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Play aria-hidden />}
          {request.rerunOf ? "Re-run" : "Run now"}
        </Button>
      </DialogFooter>
    </form>
  );
}
