"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Play } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
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
import {
  compileSkillInputs,
  fieldErrorLine,
  fromFormValues,
  inputFieldsOf,
  toFormValues,
  type FormValues,
  type InputField,
  type InputsSchema,
} from "@/lib/skill-inputs";
import { SkillChangedSince, type RerunOfVersion } from "./run-detail/skill-changed-alert";
import { AgentField, ConfirmReplaceTyped, PrefillField } from "./run-now-fields";
import { preselectAgent, type AgentForRunNow } from "./run-now-agent";
import { parseTagList } from "@/lib/run-tags";
import { tagListProblem, TagsField } from "./run-tags";
import { RunCostEstimate } from "./run-cost-estimate";
import { RunNowError, RunNowLoading } from "./run-now-states";

/** An earlier run's inputs (and agent) waiting for the operator to confirm they replace typed values. */
type Prefill = { values: FormValues; agent: { id: string } | null };
type PendingPrefill = Prefill & {
  /** The titles of the inputs whose typed values would be replaced. */
  typed: string[];
};

export type RunNowRequest = RerunOfVersion & {
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

  if (skill.isError || agents.isError)
    return <RunNowError message={(skill.error ?? agents.error)?.message} />;
  if (!skill.data || !agents.data) return <RunNowLoading />;
  return (
    <LoadedRunNowForm request={request} skill={skill.data} agents={agents.data} onDone={onDone} />
  );
}

type SkillForForm = Record<"id" | "versionHash" | "slug" | "name" | "description", string> & {
  inputsSchema: InputsSchema;
};
type AgentOption = AgentForRunNow & { configured: boolean; model: string };

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
  const preselected = preselectAgent(skill.id, agents);
  const [agentId, setAgentId] = useState(request.agentId ?? preselected?.agentId ?? "");
  // Why this agent is selected, while it is: the skill's assignment, or the earlier run's.
  const [agentWhy, setAgentWhy] = useState<{ agentId: string; text: string } | null>(() =>
    request.agentId
      ? { agentId: request.agentId, text: "The agent of the earlier run." }
      : preselected && { agentId: preselected.agentId, text: preselected.why },
  );
  const [pendingPrefill, setPendingPrefill] = useState<PendingPrefill | null>(null);
  const [prefillRunId, setPrefillRunId] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const previousRuns = useQuery(trpc.runs.list.queryOptions({ skillId: skill.id, limit: 10 }));
  // One key per dialog: a double submit (or a retry after a lost answer) starts one run.
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [tagsText, setTagsText] = useState("");

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
  const initialValues = useMemo(
    () => toFormValues(fields, request.inputs),
    [fields, request.inputs],
  );
  const form = useForm<FormValues>({
    defaultValues: initialValues,
    resolver,
    mode: "onSubmit",
    reValidateMode: "onChange",
  });
  // The values nobody typed: the form's start, then each prefill applied.
  const untypedValues = useRef(initialValues);

  const start = useMutation(trpc.runs.start.mutationOptions());
  const rerun = useMutation(trpc.runs.rerun.mutationOptions());
  const pending = start.isPending || rerun.isPending;

  const onSubmit = form.handleSubmit(async (values) => {
    if (pending) return;
    setFormError(null);
    const inputs = fromFormValues(fields, values);
    const tagsProblem = tagListProblem(tagsText);
    if (tagsProblem) return setFormError(`Tags: ${tagsProblem}`);
    // A re-run without tags typed keeps the earlier run's.
    const tags = tagsText.trim() ? parseTagList(tagsText) : undefined;
    try {
      const { runId } = request.rerunOf
        ? await rerun.mutateAsync({
            runId: request.rerunOf,
            inputs,
            agentId: agentId || null,
            tags,
          })
        : await start.mutateAsync({
            skillSlug: skill.slug,
            agentId: agentId || undefined,
            inputs,
            idempotencyKey,
            tags,
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
          else
            setFormError(
              messages.map((message) => fieldErrorLine(name || "Inputs", message)).join("; "),
            );
        }
      } else {
        setFormError(error instanceof Error ? error.message : "The run could not be started.");
      }
    }
  });

  const applyPrefill = ({ values, agent }: Prefill) => {
    form.reset(values);
    untypedValues.current = values;
    if (agent) {
      setAgentId(agent.id);
      setAgentWhy({ agentId: agent.id, text: "The agent of the earlier run." });
    }
    setPendingPrefill(null);
    toast.message("Inputs copied from the earlier run");
  };

  // What was typed is never overwritten silently: replacing it is asked first.
  const prefillFrom = async (runId: string) => {
    setPrefillRunId(runId);
    if (!runId) return;
    try {
      const run = await queryClient.fetchQuery(trpc.runs.get.queryOptions({ runId }));
      const prefill = { values: toFormValues(fields, run.inputs), agent: run.agent };
      const current = form.getValues();
      const typed = fields.filter(
        ({ name }) =>
          current[name] !== untypedValues.current[name] && current[name] !== prefill.values[name],
      );
      if (typed.length) setPendingPrefill({ ...prefill, typed: typed.map((field) => field.title) });
      else applyPrefill(prefill);
    } catch (error) {
      setPrefillRunId("");
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
        <SkillChangedSince ran={request.rerunOfSkillVersion} current={skill.versionHash} />
        <div className="grid gap-4 sm:grid-cols-2">
          <AgentField
            idPrefix={idPrefix}
            skillId={skill.id}
            agents={agents}
            agentId={agentId}
            onChange={setAgentId}
            why={agentWhy?.agentId === agentId ? agentWhy.text : null}
          />
          <PrefillField
            idPrefix={idPrefix}
            runs={previousRuns.data?.runs}
            loading={previousRuns.isPending}
            value={prefillRunId}
            onChange={(runId) => void prefillFrom(runId)}
          />
        </div>
        <SkillInputsFields
          fields={fields}
          register={form.register}
          errors={form.formState.errors}
          idPrefix={idPrefix}
        />
        <TagsField
          id={`${idPrefix}-tags`}
          value={tagsText}
          onChange={setTagsText}
          hint={
            request.rerunOf
              ? "Left empty: the earlier run's tags. Comma-separated key:value."
              : undefined
          }
        />
        <RunCostEstimate skillId={skill.id} agentId={agentId || null} />
        {formError && (
          <Alert variant="destructive">
            <AlertDescription>{formError}</AlertDescription>
          </Alert>
        )}
        <ConfirmReplaceTyped
          typed={pendingPrefill?.typed ?? null}
          onKeep={() => {
            setPendingPrefill(null);
            setPrefillRunId("");
          }}
          onReplace={() => pendingPrefill && applyPrefill(pendingPrefill)}
        />
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
