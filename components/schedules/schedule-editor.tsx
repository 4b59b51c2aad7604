"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Save } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useRef, useState, useSyncExternalStore } from "react";
import { useForm, useWatch } from "react-hook-form";
import { DeliverResultsField } from "@/components/deliveries/deliver-results-field";
import { TagsField, tagListProblem } from "@/components/runs/run-tags";
import { parseTagList } from "@/lib/run-tags";
import { toast } from "sonner";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import type { ScheduleInputValue } from "@/lib/schedules";
import type { ScheduleInput } from "@/lib/schemas/schedules";
import { fieldErrorLine } from "@/lib/skill-inputs";
import { CadenceCard } from "./cadence-card";
import { CostProjection } from "./cost-projection";
import { ScheduleInputsCard, type ScheduleInputsHandle } from "./schedule-inputs-card";
import {
  fieldWithError,
  presetFieldsOfCron,
  scheduleFormSchema,
  type ScheduleFormFields,
  type ScheduleFormValues,
} from "./schedule-form";
import { WhatRunsCard } from "./what-runs-card";

const noSubscription = () => () => {};
/** The browser's timezone; null on the server, so the editor renders after hydration with it. */
const useBrowserTimeZone = () =>
  useSyncExternalStore(
    noSubscription,
    () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    () => null,
  );

/** Create or edit a schedule; `scheduleId` loads the schedule to edit. */
export function ScheduleEditor({
  scheduleId,
  skillSlug,
}: {
  scheduleId?: string;
  skillSlug?: string;
}) {
  const trpc = useTRPC();
  const browserTimeZone = useBrowserTimeZone();
  const existing = useQuery({
    ...trpc.schedules.get.queryOptions({ scheduleId: scheduleId ?? "" }),
    enabled: Boolean(scheduleId),
  });
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  if (
    (scheduleId && existing.isPending) ||
    skills.isPending ||
    agents.isPending ||
    !browserTimeZone
  )
    return <Skeleton className="h-96" aria-label="Loading the editor" />;
  if (existing.isError)
    return <QueryError title="The schedule could not be loaded" query={existing} />;
  if (skills.isError) return <QueryError title="Skills could not be loaded" query={skills} />;
  if (agents.isError) return <QueryError title="Agents could not be loaded" query={agents} />;
  const initial: ScheduleInput = existing.data
    ? {
        name: existing.data.name,
        skillId: existing.data.skill.id,
        agentId: existing.data.usesDefaultAgent ? null : (existing.data.agent?.id ?? null),
        inputs: existing.data.inputs,
        tags: existing.data.tags,
        deliveryChannelIds: existing.data.deliveryChannelIds,
        cron: existing.data.cron,
        timezone: existing.data.timezone,
        overlapPolicy: existing.data.overlapPolicy,
        enabled: existing.data.enabled,
      }
    : {
        name: "",
        skillId:
          skills.data.find((skill) => skill.slug === skillSlug)?.id ?? skills.data[0]?.id ?? "",
        agentId: null,
        inputs: {},
        cron: "30 8 * * 1-5",
        timezone: browserTimeZone,
        overlapPolicy: "skip",
        enabled: true,
      };
  return (
    <LoadedEditor
      scheduleId={scheduleId}
      initial={initial}
      skills={skills.data}
      agents={agents.data}
    />
  );
}

/** The first field showing an error, in reading order, brought into view and focused. */
function focusFirstError(form: HTMLFormElement | null) {
  // After React has rendered the errors the validation just set.
  requestAnimationFrame(() => {
    const first = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (!first) return;
    first.scrollIntoView({ block: "center", behavior: "smooth" });
    first.focus({ preventScroll: true });
  });
}

function LoadedEditor({
  scheduleId,
  initial,
  skills,
  agents,
}: {
  scheduleId?: string;
  initial: ScheduleInput;
  skills: { id: string; name: string; slug: string }[];
  agents: { id: string; name: string; isDefault: boolean; configured: boolean }[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const formElement = useRef<HTMLFormElement>(null);
  const inputsCard = useRef<ScheduleInputsHandle>(null);
  const {
    inputs: initialInputs,
    tags: initialTags,
    deliveryChannelIds: initialChannelIds,
    ...initialFields
  } = initial;
  const [tagsText, setTagsText] = useState((initialTags ?? []).join(", "));
  const [deliveryChannelIds, setDeliveryChannelIds] = useState(initialChannelIds ?? []);
  const form = useForm<ScheduleFormFields, unknown, ScheduleFormValues>({
    resolver: zodResolver(scheduleFormSchema),
    defaultValues: {
      ...initialFields,
      // A skill no longer in the catalog shows as "Choose a skill…".
      skillId: skills.some((skill) => skill.id === initial.skillId) ? initial.skillId : "",
      cadencePreset: presetFieldsOfCron(initial.cron),
    },
    reValidateMode: "onChange",
    shouldFocusError: false,
  });
  const { errors } = form.formState;
  const [skillId, cron, timezone, agentId] = useWatch({
    control: form.control,
    name: ["skillId", "cron", "timezone", "agentId"],
  });
  const skillSlug = skills.find((skill) => skill.id === skillId)?.slug ?? "";
  const skill = useQuery({
    ...trpc.skills.get.queryOptions({ slug: skillSlug }),
    enabled: Boolean(skillSlug),
  });

  const create = useMutation(trpc.schedules.create.mutationOptions());
  const update = useMutation(trpc.schedules.update.mutationOptions());
  const pending = create.isPending || update.isPending;
  const backTo = scheduleId ? `/schedules/${scheduleId}` : "/schedules";

  const save = async (
    { cadencePreset: _cadencePreset, ...fields }: ScheduleFormValues,
    inputs: Record<string, ScheduleInputValue>,
  ) => {
    const schedule: ScheduleInput = {
      ...fields,
      inputs,
      tags: parseTagList(tagsText),
      deliveryChannelIds,
    };
    try {
      const saved = scheduleId
        ? await update.mutateAsync({ scheduleId, schedule })
        : await create.mutateAsync(schedule);
      await queryClient.invalidateQueries({ queryKey: trpc.schedules.pathKey() });
      toast.success(scheduleId ? "Schedule saved" : "Schedule created");
      router.push(`/schedules/${saved.id}`);
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (!fieldErrors) {
        toast.error(error instanceof Error ? error.message : "The schedule could not be saved.");
        return;
      }
      const afterFields = setServerFieldErrors(form.setError, fieldErrors, fieldWithError);
      const setInputError = inputsCard.current?.setError;
      const unplaced = setInputError
        ? setServerFieldErrors(setInputError, afterFields, (key) =>
            key.startsWith("inputs.") ? key.slice("inputs.".length) : null,
          )
        : afterFields;
      const rest = Object.entries(unplaced).flatMap(([key, messages]) =>
        messages.map((message) => (key === "inputs" ? message : fieldErrorLine(key, message))),
      );
      if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
      focusFirstError(formElement.current);
    }
  };

  // Every section is checked at once, so one Save shows every problem, the first one focused.
  const submit = async () => {
    if (pending) return;
    form.clearErrors("root.server");
    let fields: ScheduleFormValues | null = null;
    const [inputs] = await Promise.all([
      inputsCard.current?.validate() ?? Promise.resolve(null),
      form.handleSubmit((values) => {
        fields = values;
      })(),
    ]);
    const tagsProblem = tagListProblem(tagsText);
    if (tagsProblem)
      form.setError("root.server", { type: "server", message: `Tags: ${tagsProblem}` });
    if (fields && inputs && !tagsProblem) await save(fields, inputs);
    else focusFirstError(formElement.current);
  };

  if (skill.isError) return <QueryError title="The skill could not be loaded" query={skill} />;
  const skillGone = !skillSlug;

  return (
    <form
      ref={formElement}
      noValidate
      aria-label={scheduleId ? "Edit schedule" : "New schedule"}
      className="flex max-w-6xl flex-col gap-6"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <div className="grid items-start gap-6 lg:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-6">
          <WhatRunsCard
            form={form}
            idPrefix={id}
            skills={skills}
            agents={agents}
            skillGone={skillGone}
          />
          <TagsField
            id={`${id}-tags`}
            value={tagsText}
            onChange={setTagsText}
            hint="Every run of the schedule carries these. Comma-separated key:value."
          />
          <DeliverResultsField value={deliveryChannelIds} onChange={setDeliveryChannelIds} />
          {skill.data ? (
            <ScheduleInputsCard
              key={skill.data.id}
              ref={inputsCard}
              schema={skill.data.inputsSchema}
              initial={skill.data.id === initial.skillId ? initialInputs : {}}
              timezone={timezone}
              cron={cron}
            />
          ) : skillGone ? (
            <Alert variant="destructive">
              <AlertDescription>
                {skills.length === 0
                  ? "This tenant has no skills to schedule."
                  : "The skill this schedule ran is no longer in the catalog. Choose another skill above; its inputs appear here."}
              </AlertDescription>
            </Alert>
          ) : (
            <Skeleton className="h-48" />
          )}
        </div>
        <div className="flex min-w-0 flex-col gap-3">
          <CadenceCard form={form} idPrefix={id} />
          <CostProjection
            skillId={skillId}
            agentId={agentId || null}
            cron={cron}
            timezone={timezone}
          />
        </div>
      </div>
      {errors.root?.server && (
        <Alert variant="destructive">
          <AlertTitle>The schedule was not saved</AlertTitle>
          <AlertDescription>{errors.root.server.message}</AlertDescription>
        </Alert>
      )}
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Button variant="outline" asChild>
          <Link href={backTo}>Cancel</Link>
        </Button>
        <Button type="submit" disabled={pending || (!skillGone && !skill.data)}>
          {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Save aria-hidden />}
          {scheduleId ? "Save schedule" : "Create schedule"}
        </Button>
      </div>
    </form>
  );
}
