"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId } from "react";
import { useForm, useWatch, type UseFormSetError } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import type { ScheduleInputValue } from "@/lib/schedules";
import type { ScheduleInput } from "@/lib/schemas/schedules";
import type { FormValues } from "@/lib/skill-inputs";
import { CadenceCard } from "./cadence-card";
import { FieldError } from "./field-error";
import { ScheduleInputsCard } from "./schedule-inputs-card";
import {
  fieldWithError,
  scheduleFormSchema,
  type ScheduleFormFields,
  type ScheduleFormValues,
} from "./schedule-form";

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

/** Create or edit a schedule; `scheduleId` loads the schedule to edit. */
export function ScheduleEditor({
  scheduleId,
  skillSlug,
}: {
  scheduleId?: string;
  skillSlug?: string;
}) {
  const trpc = useTRPC();
  const existing = useQuery({
    ...trpc.schedules.get.queryOptions({ scheduleId: scheduleId ?? "" }),
    enabled: Boolean(scheduleId),
  });
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  if ((scheduleId && existing.isPending) || skills.isPending || agents.isPending)
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
        timezone: browserTimeZone(),
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
  const { inputs: initialInputs, ...initialFields } = initial;
  const form = useForm<ScheduleFormFields, unknown, ScheduleFormValues>({
    resolver: zodResolver(scheduleFormSchema),
    defaultValues: {
      ...initialFields,
      // A skill no longer in the catalog shows as "Choose a skill…".
      skillId: skills.some((skill) => skill.id === initial.skillId) ? initial.skillId : "",
      cadencePreset: { kind: "custom", time: "08:30", day: 1 },
    },
    reValidateMode: "onChange",
  });
  const { errors } = form.formState;
  const [skillId, cron, timezone] = useWatch({
    control: form.control,
    name: ["skillId", "cron", "timezone"],
  });
  const skillSlug = skills.find((skill) => skill.id === skillId)?.slug ?? "";
  const skill = useQuery({
    ...trpc.skills.get.queryOptions({ slug: skillSlug }),
    enabled: Boolean(skillSlug),
  });

  const create = useMutation(trpc.schedules.create.mutationOptions());
  const update = useMutation(trpc.schedules.update.mutationOptions());

  const save = async (
    { cadencePreset: _cadencePreset, ...fields }: ScheduleFormValues,
    inputs: Record<string, ScheduleInputValue>,
    setInputError: UseFormSetError<FormValues>,
  ) => {
    const schedule: ScheduleInput = { ...fields, inputs };
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
      const unplaced = setServerFieldErrors(
        setInputError,
        setServerFieldErrors(form.setError, fieldErrors, fieldWithError),
        (key) => (key.startsWith("inputs.") ? key.slice("inputs.".length) : null),
      );
      const rest = Object.entries(unplaced).map(([key, messages]) =>
        key === "inputs" ? messages.join("; ") : `${key} ${messages.join("; ")}`,
      );
      if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
    }
  };

  if (skill.isError) return <QueryError title="The skill could not be loaded" query={skill} />;
  const skillGone = !skillSlug;

  return (
    <form
      noValidate
      aria-label={scheduleId ? "Edit schedule" : "New schedule"}
      className="max-w-3xl"
      onSubmit={(event) => event.preventDefault()}
    >
      <div className="flex flex-col gap-6">
        <Card>
          <CardHeader>
            <CardTitle>What runs</CardTitle>
          </CardHeader>
          <CardContent className="grid grid-cols-2 gap-4">
            <div className="col-span-2 flex flex-col gap-1.5">
              <Label htmlFor={`${id}-name`}>Name</Label>
              <Input
                id={`${id}-name`}
                {...form.register("name")}
                aria-invalid={errors.name ? true : undefined}
                placeholder="Weekday sales digest"
              />
              <FieldError message={errors.name?.message} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-skill`}>Skill</Label>
              <Select
                id={`${id}-skill`}
                {...form.register("skillId")}
                aria-invalid={errors.skillId || skillGone ? true : undefined}
              >
                {skillGone && <option value="">Choose a skill…</option>}
                {skills.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.name}
                  </option>
                ))}
              </Select>
              <FieldError message={errors.skillId?.message} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-agent`}>Agent</Label>
              <Select
                id={`${id}-agent`}
                {...form.register("agentId", { setValueAs: (value: string) => value || null })}
                aria-invalid={errors.agentId ? true : undefined}
              >
                <option value="">The tenant&apos;s default agent at fire time</option>
                {agents.map((agent) => (
                  <option key={agent.id} value={agent.id}>
                    {agent.name}
                    {agent.configured ? "" : " — model not configured"}
                  </option>
                ))}
              </Select>
              <FieldError message={errors.agentId?.message} />
            </div>
          </CardContent>
        </Card>
        <CadenceCard form={form} idPrefix={id} />
        {skill.data ? (
          <ScheduleInputsCard
            key={skill.data.id}
            schema={skill.data.inputsSchema}
            initial={skill.data.id === initial.skillId ? initialInputs : {}}
            timezone={timezone}
            cron={cron}
            onSubmit={(inputs, setInputError) =>
              form.handleSubmit((values) => save(values, inputs, setInputError))()
            }
            pending={create.isPending || update.isPending}
            submitLabel={scheduleId ? "Save schedule" : "Create schedule"}
            formError={errors.root?.server?.message}
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
    </form>
  );
}
