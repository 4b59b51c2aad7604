"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, Save } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useMemo, useState } from "react";
import { useForm, useWatch, type Resolver } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { QueryError } from "@/components/shell/query-error";
import { SkillInputsFields } from "@/components/skills/skill-inputs-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import type { OverlapPolicy } from "@/lib/enums";
import type { ScheduleInput } from "@/lib/schemas/schedules";
import {
  checkCadence,
  cronOfPreset,
  describeRelativeDate,
  nextFireTimes,
  resolveScheduleInputs,
  type CadencePreset,
  type ScheduleInputValue,
} from "@/lib/schedules";
import {
  compileSkillInputs,
  fromFormValues,
  inputFieldsOf,
  toFormValues,
  type FieldErrors,
  type FormValues,
  type InputsSchema,
} from "@/lib/skill-inputs";
import { CadencePreview } from "./cadence-preview";

type Relative = { anchor: "today" | "start-of-week"; offsetDays: number };
type PresetKind = CadencePreset["kind"] | "custom";
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const TIME_ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

type ScheduleDraft = ScheduleInput;

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
  const initial: ScheduleDraft = existing.data
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
  initial: ScheduleDraft;
  skills: { id: string; name: string; slug: string }[];
  agents: { id: string; name: string; isDefault: boolean; configured: boolean }[];
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const id = useId();
  const [name, setName] = useState(initial.name);
  const [skillId, setSkillId] = useState(initial.skillId);
  const [agentId, setAgentId] = useState<string | null>(initial.agentId);
  const [cron, setCron] = useState(initial.cron);
  const [timezone, setTimezone] = useState(initial.timezone);
  const [overlapPolicy, setOverlapPolicy] = useState<OverlapPolicy>(initial.overlapPolicy);
  const [enabled, setEnabled] = useState(initial.enabled);
  const [preset, setPreset] = useState<PresetKind>("custom");
  const [presetTime, setPresetTime] = useState("08:30");
  const [presetDay, setPresetDay] = useState(1);
  const [errors, setErrors] = useState<FieldErrors>({});
  const skillSlug = skills.find((skill) => skill.id === skillId)?.slug ?? "";
  const skill = useQuery({
    ...trpc.skills.get.queryOptions({ slug: skillSlug }),
    enabled: Boolean(skillSlug),
  });

  const applyPreset = (kind: PresetKind, time = presetTime, day = presetDay) => {
    setPreset(kind);
    if (kind === "custom") return;
    const [hour = 0, minute = 0] = time.split(":").map(Number);
    const next: CadencePreset =
      kind === "hourly"
        ? { kind, minute }
        : kind === "daily" || kind === "weekdays"
          ? { kind, hour, minute }
          : kind === "weekly"
            ? { kind, dayOfWeek: day, hour, minute }
            : { kind, dayOfMonth: Math.min(28, Math.max(1, day)), hour, minute };
    setCron(cronOfPreset(next));
  };

  const cadence = checkCadence(cron, timezone);
  const save = useMutation(trpc.schedules.create.mutationOptions());
  const update = useMutation(trpc.schedules.update.mutationOptions());

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
                value={name}
                onChange={(event) => setName(event.target.value)}
                aria-invalid={errors.name ? true : undefined}
                placeholder="Weekday sales digest"
              />
              <FieldError messages={errors.name} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-skill`}>Skill</Label>
              <Select
                id={`${id}-skill`}
                value={skillGone ? "" : skillId}
                onChange={(event) => setSkillId(event.target.value)}
                aria-invalid={errors.skillId || skillGone ? true : undefined}
              >
                {skillGone && <option value="">Choose a skill…</option>}
                {skills.map((option) => (
                  <option key={option.id} value={option.id}>
                    {option.name}
                  </option>
                ))}
              </Select>
              <FieldError messages={errors.skillId} />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-agent`}>Agent</Label>
              <Select
                id={`${id}-agent`}
                value={agentId ?? ""}
                onChange={(event) => setAgentId(event.target.value || null)}
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
              <FieldError messages={errors.agentId} />
            </div>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>When</CardTitle>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            <div className="grid grid-cols-2 gap-3">
              <div className="flex flex-col gap-1.5">
                <Label htmlFor={`${id}-preset`}>Cadence</Label>
                <Select
                  id={`${id}-preset`}
                  value={preset}
                  onChange={(event) => applyPreset(event.target.value as PresetKind)}
                >
                  <option value="custom">Custom (cron)</option>
                  <option value="hourly">Hourly</option>
                  <option value="daily">Daily at</option>
                  <option value="weekdays">Weekdays at</option>
                  <option value="weekly">Weekly on</option>
                  <option value="monthly">Monthly on</option>
                </Select>
              </div>
              {preset !== "custom" && (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor={`${id}-time`}>
                    {preset === "hourly" ? "Minute past the hour" : "Time"}
                  </Label>
                  <Input
                    id={`${id}-time`}
                    type="time"
                    value={presetTime}
                    onChange={(event) => {
                      setPresetTime(event.target.value);
                      applyPreset(preset, event.target.value);
                    }}
                  />
                </div>
              )}
              {preset === "weekly" && (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor={`${id}-weekday`}>Day</Label>
                  <Select
                    id={`${id}-weekday`}
                    value={presetDay}
                    onChange={(event) => {
                      setPresetDay(Number(event.target.value));
                      applyPreset(preset, presetTime, Number(event.target.value));
                    }}
                  >
                    {WEEKDAYS.map((day, index) => (
                      <option key={day} value={index}>
                        {day}
                      </option>
                    ))}
                  </Select>
                </div>
              )}
              {preset === "monthly" && (
                <div className="flex flex-col gap-1.5">
                  <Label htmlFor={`${id}-monthday`}>Day of month (1–28)</Label>
                  <Input
                    id={`${id}-monthday`}
                    type="number"
                    min={1}
                    max={28}
                    value={presetDay}
                    onChange={(event) => {
                      setPresetDay(Number(event.target.value));
                      applyPreset(preset, presetTime, Number(event.target.value));
                    }}
                  />
                </div>
              )}
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-cron`}>Cron expression (5 fields)</Label>
              <Input
                id={`${id}-cron`}
                className="font-mono"
                value={cron}
                onChange={(event) => {
                  setCron(event.target.value);
                  setPreset("custom");
                }}
                aria-invalid={!cadence.ok || errors.cron ? true : undefined}
                aria-describedby={`${id}-cron-error`}
              />
              <FieldError
                id={`${id}-cron-error`}
                messages={
                  !cadence.ok && !cadence.error.includes("IANA") ? [cadence.error] : errors.cron
                }
              />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-timezone`}>Timezone</Label>
              <Input
                id={`${id}-timezone`}
                list={`${id}-timezones`}
                value={timezone}
                onChange={(event) => setTimezone(event.target.value)}
                aria-invalid={errors.timezone ? true : undefined}
                autoComplete="off"
              />
              <datalist id={`${id}-timezones`}>
                {TIME_ZONES.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
              <FieldError
                messages={
                  !cadence.ok && cadence.error.includes("IANA") ? [cadence.error] : errors.timezone
                }
              />
            </div>
            <CadencePreview cron={cron} timezone={timezone} />
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`${id}-overlap`}>If the previous run is still going</Label>
              <Select
                id={`${id}-overlap`}
                value={overlapPolicy}
                onChange={(event) => setOverlapPolicy(event.target.value as OverlapPolicy)}
              >
                <option value="skip">Skip this slot (recorded as skipped)</option>
                <option value="allow">Start another run anyway</option>
              </Select>
            </div>
            <div className="flex items-center gap-2">
              <Checkbox
                id={`${id}-enabled`}
                checked={enabled}
                onChange={(event) => setEnabled(event.target.checked)}
              />
              <Label htmlFor={`${id}-enabled`}>Enabled</Label>
            </div>
          </CardContent>
        </Card>
        {skill.data ? (
          <ScheduleInputsCard
            key={skill.data.id}
            schema={skill.data.inputsSchema}
            initial={skill.data.id === initial.skillId ? initial.inputs : {}}
            timezone={timezone}
            cron={cron}
            serverErrors={errors}
            onSubmit={async (inputs) => {
              const clientErrors: FieldErrors = {};
              if (!name.trim()) clientErrors.name = ["is required"];
              if (!cadence.ok)
                clientErrors[cadence.error.includes("IANA") ? "timezone" : "cron"] = [
                  cadence.error,
                ];
              setErrors(clientErrors);
              if (Object.keys(clientErrors).length) return null;
              const draft: ScheduleDraft = {
                name: name.trim(),
                skillId,
                agentId,
                inputs,
                cron: cron.trim(),
                timezone,
                overlapPolicy,
                enabled,
              };
              try {
                const saved = scheduleId
                  ? await update.mutateAsync({ scheduleId, schedule: draft })
                  : await save.mutateAsync(draft);
                await queryClient.invalidateQueries({ queryKey: trpc.schedules.pathKey() });
                toast.success(scheduleId ? "Schedule saved" : "Schedule created");
                router.push(`/schedules/${saved.id}`);
                return null;
              } catch (error) {
                const fieldErrors = fieldErrorsFrom(error);
                if (fieldErrors) {
                  setErrors(fieldErrors);
                  return fieldErrors;
                }
                toast.error(
                  error instanceof Error ? error.message : "The schedule could not be saved.",
                );
                return null;
              }
            }}
            pending={save.isPending || update.isPending}
            submitLabel={scheduleId ? "Save schedule" : "Create schedule"}
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

function FieldError({ messages, id }: { messages?: string[]; id?: string }) {
  if (!messages?.length) return null;
  return (
    <p id={id} role="alert" className="text-destructive text-xs font-medium">
      {messages.join("; ")}
    </p>
  );
}

/** The skill's inputs as literals, plus a relative-date choice for each date input. */
function ScheduleInputsCard({
  schema,
  initial,
  timezone,
  cron,
  serverErrors,
  onSubmit,
  pending,
  submitLabel,
}: {
  schema: InputsSchema;
  initial: Record<string, ScheduleInputValue>;
  timezone: string;
  cron: string;
  serverErrors: FieldErrors;
  onSubmit: (inputs: Record<string, ScheduleInputValue>) => Promise<FieldErrors | null>;
  pending: boolean;
  submitLabel: string;
}) {
  const id = useId();
  const fields = useMemo(() => inputFieldsOf(schema), [schema]);
  const validate = useMemo(() => compileSkillInputs(schema), [schema]);
  const [relative, setRelative] = useState<Record<string, Relative | null>>(() =>
    Object.fromEntries(
      Object.entries(initial).flatMap(([name, value]) =>
        value.kind === "relative-date"
          ? [[name, { anchor: value.anchor, offsetDays: value.offsetDays }]]
          : [],
      ),
    ),
  );
  const literals = Object.fromEntries(
    Object.entries(initial).flatMap(([name, value]) =>
      value.kind === "literal" ? [[name, value.value]] : [],
    ),
  );

  const scheduleInputsOf = (values: Partial<FormValues>): Record<string, ScheduleInputValue> => {
    const inputs: Record<string, ScheduleInputValue> = {};
    for (const [name, value] of Object.entries(fromFormValues(fields, values)))
      inputs[name] = { kind: "literal", value };
    for (const [name, choice] of Object.entries(relative))
      if (choice) inputs[name] = { kind: "relative-date", ...choice };
    return inputs;
  };
  const fireAt = () =>
    checkCadence(cron, timezone).ok
      ? (nextFireTimes(cron, timezone, new Date(), 1)[0] ?? new Date())
      : new Date();

  const resolver: Resolver<FormValues> = (values) => {
    const result = validate(
      resolveScheduleInputs(
        scheduleInputsOf(values),
        checkCadence(cron, timezone).ok ? timezone : "UTC",
        fireAt(),
      ),
    );
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
    defaultValues: toFormValues(fields, literals),
    resolver,
    reValidateMode: "onChange",
  });
  const formErrors = { ...form.formState.errors };
  for (const [key, messages] of Object.entries(serverErrors)) {
    if (key.startsWith("inputs.") && !formErrors[key.slice(7)])
      formErrors[key.slice(7)] = { type: "server", message: messages.join("; ") };
  }
  const dateFields = fields.filter((field) => field.kind === "date");
  const values = useWatch({ control: form.control });
  const preview = checkCadence(cron, timezone).ok
    ? resolveScheduleInputs(scheduleInputsOf(values), timezone, fireAt())
    : null;

  const submit = form.handleSubmit(async (submitted) => {
    const rejected = await onSubmit(scheduleInputsOf(submitted));
    for (const [key, messages] of Object.entries(rejected ?? {}))
      if (key.startsWith("inputs."))
        form.setError(key.slice(7), { type: "server", message: messages.join("; ") });
  });

  return (
    <Card>
      <CardHeader>
        <CardTitle>Inputs</CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        <SkillInputsFields
          fields={fields}
          register={form.register}
          errors={formErrors}
          idPrefix={id}
        />
        {dateFields.length > 0 && (
          <fieldset className="border-border rounded-md border p-3">
            <legend className="px-1 text-sm font-medium">
              Relative dates (computed at each fire time in {timezone})
            </legend>
            {dateFields.map((field) => {
              const choice = relative[field.name] ?? null;
              return (
                <div key={field.name} className="mt-2 flex flex-wrap items-end gap-3">
                  <div className="flex flex-col gap-1">
                    <Label htmlFor={`${id}-${field.name}-relative`}>{field.title}</Label>
                    <Select
                      id={`${id}-${field.name}-relative`}
                      value={choice?.anchor ?? ""}
                      onChange={(event) =>
                        setRelative((current) => ({
                          ...current,
                          [field.name]: event.target.value
                            ? {
                                anchor: event.target.value as Relative["anchor"],
                                offsetDays: choice?.offsetDays ?? 0,
                              }
                            : null,
                        }))
                      }
                    >
                      <option value="">The fixed value above</option>
                      <option value="today">Today</option>
                      <option value="start-of-week">Start of this week (Monday)</option>
                    </Select>
                  </div>
                  {choice && (
                    <div className="flex w-32 flex-col gap-1">
                      <Label htmlFor={`${id}-${field.name}-offset`}>+ days</Label>
                      <Input
                        id={`${id}-${field.name}-offset`}
                        type="number"
                        value={choice.offsetDays}
                        onChange={(event) => {
                          // An empty value is what a number input reports mid-way through "-3": keep the last number.
                          const parsed = Number(event.target.value);
                          if (
                            event.target.value !== "" &&
                            event.target.value !== "-" &&
                            Number.isFinite(parsed)
                          )
                            setRelative((current) => ({
                              ...current,
                              [field.name]: { ...choice, offsetDays: Math.trunc(parsed) },
                            }));
                        }}
                      />
                    </div>
                  )}
                  {choice && (
                    <span className="text-muted-foreground pb-2 text-xs">
                      {describeRelativeDate({ kind: "relative-date", ...choice })}
                    </span>
                  )}
                </div>
              );
            })}
          </fieldset>
        )}
        {preview && (
          <div>
            <p className="text-muted-foreground text-xs font-medium">
              The next slot&apos;s inputs, resolved
            </p>
            <pre
              className="bg-muted mt-1 max-h-48 overflow-auto rounded-md p-2 text-xs"
              data-testid="resolved-inputs"
            >
              {JSON.stringify(preview, null, 2)}
            </pre>
          </div>
        )}
        {serverErrors.inputs && (
          <Alert variant="destructive">
            <AlertDescription>{serverErrors.inputs.join("; ")}</AlertDescription>
          </Alert>
        )}
        <div className="flex justify-end">
          <Button type="button" onClick={() => void submit()} disabled={pending}>
            {pending ? <LoaderCircle aria-hidden className="animate-spin" /> : <Save aria-hidden />}
            {submitLabel}
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}
