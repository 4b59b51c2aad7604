"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { inputFieldsOf } from "@/lib/skill-inputs";
import type { InputMapping } from "./signing-example";

export type WebhookDraft = {
  name: string;
  skillId: string;
  agentId: string | null;
  inputMapping: InputMapping;
  rateLimitPerMinute: number;
  enabled: boolean;
};

/** One mapping row as typed: a pointer and a default written as JSON (or plain text). */
type MappingRow = { pointer: string; defaultText: string };

const toRows = (mapping: InputMapping): Record<string, MappingRow> =>
  Object.fromEntries(
    Object.entries(mapping).map(([name, rule]) => [
      name,
      {
        pointer: rule.pointer ?? "",
        defaultText:
          rule.default === undefined
            ? ""
            : typeof rule.default === "string"
              ? rule.default
              : JSON.stringify(rule.default),
      },
    ]),
  );

/** A default typed as `3`, `true` or `["a"]` is that JSON value; anything else is the text itself. */
function parseDefault(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** The mapping of the skill's current inputs only: rows left from another skill (or a dropped input) go. */
function toMapping(rows: Record<string, MappingRow>, inputNames: string[]): InputMapping {
  const mapping: InputMapping = {};
  for (const name of inputNames) {
    const row = rows[name];
    if (!row) continue;
    const pointer = row.pointer.trim();
    const fallback = parseDefault(row.defaultText);
    if (pointer || fallback !== undefined)
      mapping[name] = {
        ...(pointer ? { pointer } : {}),
        ...(fallback !== undefined ? { default: fallback } : {}),
      };
  }
  return mapping;
}

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
  initial?: WebhookDraft;
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
  initial?: WebhookDraft;
  webhookId?: string;
  onDone: () => void;
  onCreated?: (created: { id: string; secret: string; name: string }) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const skills = useQuery(trpc.skills.list.queryOptions());
  const agents = useQuery(trpc.agents.list.queryOptions());
  const [name, setName] = useState(initial?.name ?? "");
  const [skillId, setSkillId] = useState(initial?.skillId ?? "");
  const [agentId, setAgentId] = useState(initial?.agentId ?? "");
  const [rows, setRows] = useState<Record<string, MappingRow>>(toRows(initial?.inputMapping ?? {}));
  const [rateLimit, setRateLimit] = useState(String(initial?.rateLimitPerMinute ?? 60));
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [errors, setErrors] = useState<Record<string, string[] | undefined>>({});
  const slug = skills.data?.find((skill) => skill.id === skillId)?.slug;
  const skill = useQuery({
    ...trpc.skills.get.queryOptions({ slug: slug ?? "" }),
    enabled: Boolean(slug),
  });
  const fields = skill.data ? inputFieldsOf(skill.data.inputsSchema) : [];

  const onSaved = async () => {
    await queryClient.invalidateQueries({ queryKey: trpc.webhooks.pathKey() });
    onDone();
  };
  const onError = (error: unknown) => {
    const fieldErrors = fieldErrorsFrom(error);
    if (fieldErrors) setErrors(fieldErrors);
    else toast.error(error instanceof Error ? error.message : "The webhook could not be saved.");
  };
  const create = useMutation(
    trpc.webhooks.create.mutationOptions({
      onSuccess: async (created) => {
        onCreated?.({ ...created, name });
        await onSaved();
      },
      onError,
    }),
  );
  const update = useMutation(
    trpc.webhooks.update.mutationOptions({
      onSuccess: async () => {
        toast.success("Webhook saved");
        await onSaved();
      },
      onError,
    }),
  );
  const pending = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    setErrors({});
    const draft: WebhookDraft = {
      name: name.trim(),
      skillId,
      agentId: agentId || null,
      inputMapping: toMapping(
        rows,
        fields.map((field) => field.name),
      ),
      rateLimitPerMinute: Number(rateLimit),
      enabled,
    };
    if (webhookId) update.mutate({ webhookId, webhook: draft });
    else create.mutate(draft);
  };
  const errorOf = (field: string) => errors[field]?.join(", ");
  const shownFields = new Set([
    "name",
    "rateLimitPerMinute",
    "skillId",
    "agentId",
    ...fields.map((field) => `inputMapping.${field.name}`),
  ]);
  const otherErrors = Object.entries(errors).filter(
    ([field, messages]) => !shownFields.has(field) && messages?.length,
  );
  const setRow = (input: string, patch: Partial<MappingRow>) =>
    setRows((current) => ({
      ...current,
      [input]: { pointer: "", defaultText: "", ...current[input], ...patch },
    }));

  return (
    <form onSubmit={submit} aria-label={webhookId ? "Edit webhook" : "New webhook"} noValidate>
      <DialogHeader>
        <DialogTitle>{webhookId ? "Edit webhook" : "New webhook"}</DialogTitle>
        <DialogDescription>
          Each signed delivery starts a run of the skill with inputs read from its JSON payload.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex max-h-[65vh] flex-col gap-4 overflow-y-auto">
        {otherErrors.length > 0 && (
          <Alert variant="destructive">
            <AlertTitle>The webhook was not saved</AlertTitle>
            <AlertDescription>
              <ul>
                {otherErrors.map(([field, messages]) => (
                  <li key={field}>
                    <code>{field}</code> {messages?.join(", ")}
                  </li>
                ))}
              </ul>
            </AlertDescription>
          </Alert>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field id={`${id}-name`} label="Name" error={errorOf("name")}>
            <Input
              id={`${id}-name`}
              value={name}
              onChange={(event) => setName(event.target.value)}
              maxLength={120}
              required
              aria-invalid={Boolean(errorOf("name"))}
              placeholder="GitHub issues"
            />
          </Field>
          <Field
            id={`${id}-rate`}
            label="Deliveries per minute"
            error={errorOf("rateLimitPerMinute")}
          >
            <Input
              id={`${id}-rate`}
              type="number"
              min={1}
              max={6000}
              value={rateLimit}
              onChange={(event) => setRateLimit(event.target.value)}
              aria-invalid={Boolean(errorOf("rateLimitPerMinute"))}
            />
          </Field>
          <Field id={`${id}-skill`} label="Skill" error={errorOf("skillId")}>
            {skills.isPending ? (
              <Skeleton className="h-9" />
            ) : (
              <Select
                id={`${id}-skill`}
                value={skillId}
                onChange={(event) => setSkillId(event.target.value)}
                required
                aria-invalid={Boolean(errorOf("skillId"))}
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
          <Field id={`${id}-agent`} label="Agent" error={errorOf("agentId")}>
            <Select
              id={`${id}-agent`}
              value={agentId}
              onChange={(event) => setAgentId(event.target.value)}
              aria-invalid={Boolean(errorOf("agentId"))}
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
            <Table aria-label="Input mapping">
              <TableHeader>
                <TableRow>
                  <TableHead>Input</TableHead>
                  <TableHead>JSON Pointer</TableHead>
                  <TableHead>Default</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {fields.map((field) => {
                  const error = errorOf(`inputMapping.${field.name}`);
                  return (
                    <TableRow key={field.name}>
                      <TableCell className="align-top">
                        <span className="font-medium">{field.title}</span>
                        {field.required && <span className="text-destructive"> *</span>}
                        <div className="text-muted-foreground font-mono text-xs">{field.name}</div>
                        {error && (
                          <p className="text-destructive mt-1 text-xs" role="alert">
                            {error}
                          </p>
                        )}
                      </TableCell>
                      <TableCell className="align-top">
                        <Input
                          aria-label={`Pointer for ${field.name}`}
                          className="font-mono"
                          value={rows[field.name]?.pointer ?? ""}
                          onChange={(event) => setRow(field.name, { pointer: event.target.value })}
                          placeholder={`/${field.name}`}
                          aria-invalid={Boolean(error)}
                        />
                      </TableCell>
                      <TableCell className="align-top">
                        <Input
                          aria-label={`Default for ${field.name}`}
                          value={rows[field.name]?.defaultText ?? ""}
                          onChange={(event) =>
                            setRow(field.name, { defaultText: event.target.value })
                          }
                          placeholder={
                            field.default === undefined
                              ? ""
                              : `skill default: ${JSON.stringify(field.default)}`
                          }
                        />
                      </TableCell>
                    </TableRow>
                  );
                })}
              </TableBody>
            </Table>
          )}
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <Checkbox checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
          Enabled (a disabled webhook answers 404, like an unknown one)
        </label>
      </DialogBody>
      <DialogFooter>
        <Button type="button" variant="outline" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" disabled={pending || !name.trim() || !skillId || skill.isPending}>
          {pending && <LoaderCircle aria-hidden className="animate-spin" />}
          {webhookId ? "Save webhook" : "Create webhook"}
        </Button>
      </DialogFooter>
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
  children: React.ReactNode;
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
