"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { useForm, useWatch } from "react-hook-form";
import { toast } from "sonner";
import { z } from "zod";
import { fieldErrorsFrom, setServerFieldErrors } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import { webhookInput, type WebhookInput } from "@/lib/schemas/webhooks";
import { fieldErrorText, inputFieldsOf } from "@/lib/skill-inputs";
import { InputMappingTable } from "./input-mapping-table";
import { toMapping, toRows } from "./mapping-rows";
import { SamplePayloadPanel } from "./sample-payload-panel";
import { DeliverResultsField } from "@/components/deliveries/deliver-results-field";
import { WebhookTagsFields, webhookTagsDraftOf, webhookTagsOf } from "./webhook-tags";

const mappingRow = z.object({ pointer: z.string(), defaultText: z.string() });

/** The form: the webhook's fields, with its input mapping held as the rows typed into the table. */
const webhookFormSchema = webhookInput
  .omit({ inputMapping: true })
  .extend({ mappingRows: z.record(z.string(), mappingRow) });
type WebhookFormFields = z.input<typeof webhookFormSchema>;
type WebhookFormValues = z.output<typeof webhookFormSchema>;

/** The fields that show an error of their own; `inputMapping.<input>` shows in its row. */
const FIELDS_WITH_ERRORS = ["name", "rateLimitPerMinute", "skillId", "agentId"] as const;

/**
 * Create or edit a webhook: the skill it starts, the agent (or the tenant default at delivery
 * time), where each input comes from in the payload, and its rate limit. Server field errors
 * land next to their fields.
 */
export function WebhookFormDialog({
  open,
  onOpenChange,
  initial,
  webhookId,
  onCreated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  initial?: WebhookInput;
  webhookId?: string;
  onCreated?: (created: { id: string; secret: string; name: string }) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-3xl">
        {/* Remounted per opening, so a cancelled edit leaves nothing behind. */}
        {open && (
          <WebhookForm
            initial={initial}
            webhookId={webhookId}
            onDone={() => onOpenChange(false)}
            onCreated={onCreated}
          />
        )}
      </DialogContent>
    </Dialog>
  );
}

function WebhookForm({
  initial,
  webhookId,
  onDone,
  onCreated,
}: {
  initial?: WebhookInput;
  webhookId?: string;
  onDone: () => void;
  onCreated?: (created: { id: string; secret: string; name: string }) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  const form = useForm<WebhookFormFields, unknown, WebhookFormValues>({
    resolver: zodResolver(webhookFormSchema),
    defaultValues: {
      name: initial?.name ?? "",
      skillId: initial?.skillId ?? "",
      agentId: initial?.agentId ?? null,
      mappingRows: toRows(initial?.inputMapping ?? {}),
      rateLimitPerMinute: initial?.rateLimitPerMinute ?? 60,
      enabled: initial?.enabled ?? true,
    },
    reValidateMode: "onChange",
  });
  const { errors } = form.formState;
  const [tagsDraft, setTagsDraft] = useState(() => webhookTagsDraftOf(initial));
  const [deliveryChannelIds, setDeliveryChannelIds] = useState(
    () => initial?.deliveryChannelIds ?? [],
  );
  const [name, skillId, mappingRows] = useWatch({
    control: form.control,
    name: ["name", "skillId", "mappingRows"],
  });
  const slug = skills.data?.find((skill) => skill.id === skillId)?.slug;
  const skill = useQuery({
    ...trpc.skills.get.queryOptions({ slug: slug ?? "" }),
    enabled: Boolean(slug),
  });
  const fields = skill.data ? inputFieldsOf(skill.data.inputsSchema) : [];

  const create = useMutation(trpc.webhooks.create.mutationOptions());
  const update = useMutation(trpc.webhooks.update.mutationOptions());
  const pending = create.isPending || update.isPending;

  const save = async ({ mappingRows, ...values }: WebhookFormValues) => {
    const tags = webhookTagsOf(tagsDraft);
    if ("problem" in tags)
      return form.setError("root.server", { type: "server", message: tags.problem });
    const webhook: WebhookInput = {
      ...values,
      ...tags,
      deliveryChannelIds,
      inputMapping: toMapping(
        mappingRows,
        fields.map((field) => field.name),
      ),
    };
    try {
      if (webhookId) {
        await update.mutateAsync({ webhookId, webhook });
        toast.success("Webhook saved");
      } else {
        const created = await create.mutateAsync(webhook);
        onCreated?.({ ...created, name: webhook.name });
      }
      await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
      onDone();
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (!fieldErrors) {
        toast.error(error instanceof Error ? error.message : "The webhook could not be saved.");
        return;
      }
      const shownRows = new Set(fields.map((field) => field.name));
      const unplaced = setServerFieldErrors(form.setError, fieldErrors, (key) => {
        const input = key.startsWith("inputMapping.") ? key.slice("inputMapping.".length) : null;
        if (input !== null)
          return shownRows.has(input) ? (`mappingRows.${input}.pointer` as const) : null;
        return FIELDS_WITH_ERRORS.find((field) => field === key) ?? null;
      });
      const rest = Object.entries(unplaced).map(
        ([key, messages]) => `${key} ${messages.join("; ")}`,
      );
      if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
    }
  };
  const onSubmit = form.handleSubmit(async (values) => {
    if (!pending) await save(values);
  });

  return (
    <form
      onSubmit={(event) => void onSubmit(event)}
      aria-label={webhookId ? "Edit webhook" : "New webhook"}
      noValidate
    >
      <DialogHeader>
        <DialogTitle>{webhookId ? "Edit webhook" : "New webhook"}</DialogTitle>
        <DialogDescription>
          Each signed delivery starts a run of the skill with inputs read from its JSON payload.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex max-h-[65vh] flex-col gap-4 overflow-y-auto">
        {errors.root?.server && (
          <Alert variant="destructive">
            <AlertTitle>The webhook was not saved</AlertTitle>
            <AlertDescription>{errors.root.server.message}</AlertDescription>
          </Alert>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id={`${id}-name`} label="Name" error={errors.name?.message}>
            <Input
              id={`${id}-name`}
              {...form.register("name")}
              maxLength={120}
              required
              aria-invalid={Boolean(errors.name)}
              autoComplete="off"
            />
          </Field>
          <Field
            id={`${id}-rate`}
            label="Deliveries per minute"
            error={errors.rateLimitPerMinute?.message}
          >
            <Input
              id={`${id}-rate`}
              type="number"
              min={1}
              max={6000}
              {...form.register("rateLimitPerMinute", { setValueAs: Number })}
              aria-invalid={Boolean(errors.rateLimitPerMinute)}
            />
          </Field>
          <Field id={`${id}-skill`} label="Skill" error={errors.skillId?.message}>
            {skills.isPending ? (
              <Skeleton className="h-9" />
            ) : (
              <Select
                id={`${id}-skill`}
                {...form.register("skillId")}
                required
                aria-invalid={Boolean(errors.skillId)}
              >
                <option value="">Choose a skill…</option>
                {skills.data?.map((candidate) => (
                  <option key={candidate.id} value={candidate.id}>
                    {candidate.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field id={`${id}-agent`} label="Agent" error={errors.agentId?.message}>
            <Select
              id={`${id}-agent`}
              {...form.register("agentId", { setValueAs: (value: string) => value || null })}
              aria-invalid={Boolean(errors.agentId)}
            >
              <option value="">The tenant&apos;s default agent (at delivery time)</option>
              {agents.data?.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <WebhookTagsFields idPrefix={id} draft={tagsDraft} onChange={setTagsDraft} />
        <DeliverResultsField value={deliveryChannelIds} onChange={setDeliveryChannelIds} />
        <fieldset className="flex flex-col gap-2">
          <legend className="text-sm font-medium">Inputs from the payload</legend>
          <p className="text-muted-foreground text-xs">
            A JSON Pointer per input (<code>/issue/title</code> reads{" "}
            <code>{`{"issue":{"title":…}}`}</code>), and a default used when the payload has nothing
            there. Defaults are JSON (<code>3</code>, <code>true</code>,{" "}
            <code>[&quot;a&quot;]</code>) or plain text.
          </p>
          {!skillId ? (
            <p className="text-muted-foreground text-sm">Choose a skill to map its inputs.</p>
          ) : skill.isPending ? (
            <Skeleton className="h-24" />
          ) : fields.length === 0 ? (
            <p className="text-muted-foreground text-sm">This skill takes no inputs.</p>
          ) : (
            <InputMappingTable
              cellClassName="align-top"
              rows={fields.map((field) => {
                const error = errors.mappingRows?.[field.name]?.pointer?.message;
                return {
                  input: field.name,
                  inputCell: (
                    <>
                      <span className="font-medium">{field.title}</span>
                      {field.required && <span className="text-destructive"> *</span>}
                      <div className="text-muted-foreground font-mono text-xs">{field.name}</div>
                      {error && (
                        <p
                          id={`${id}-${field.name}-error`}
                          className="text-destructive mt-1 text-xs"
                          role="alert"
                        >
                          {fieldErrorText(field.title, error)}
                        </p>
                      )}
                    </>
                  ),
                  pointerCell: (
                    <Input
                      aria-label={`Pointer for ${field.name}`}
                      className="font-mono"
                      {...form.register(`mappingRows.${field.name}.pointer`)}
                      autoComplete="off"
                      aria-invalid={Boolean(error)}
                      aria-describedby={error ? `${id}-${field.name}-error` : undefined}
                    />
                  ),
                  defaultCell: (
                    <>
                      <Input
                        aria-label={`Default for ${field.name}`}
                        {...form.register(`mappingRows.${field.name}.defaultText`)}
                        autoComplete="off"
                        aria-describedby={
                          field.default === undefined
                            ? undefined
                            : `${id}-${field.name}-skill-default`
                        }
                      />
                      {field.default !== undefined && (
                        <p
                          id={`${id}-${field.name}-skill-default`}
                          className="text-muted-foreground mt-1 text-xs"
                        >
                          Left empty: the skill&apos;s default, {JSON.stringify(field.default)}
                        </p>
                      )}
                    </>
                  ),
                };
              })}
            />
          )}
          {skill.data && fields.length > 0 && (
            <SamplePayloadPanel
              schema={skill.data.inputsSchema}
              mapping={toMapping(
                mappingRows,
                fields.map((field) => field.name),
              )}
            />
          )}
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <Checkbox {...form.register("enabled")} />
          Enabled (a disabled webhook answers 404, like an unknown one)
        </label>
      </DialogBody>
      <FormDialogFooter
        onCancel={onDone}
        pending={pending}
        disabled={!name.trim() || !skillId || skill.isPending}
        submitLabel={webhookId ? "Save webhook" : "Create webhook"}
      />
    </form>
  );
}

function Field({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  children: ReactNode;
}) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {error && (
        <p className="text-destructive text-xs" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
