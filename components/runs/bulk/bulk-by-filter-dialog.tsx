"use client";

import { useQuery } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { FieldError } from "@/components/schedules/field-error";
import { FormDialogShell } from "@/components/shell/form-dialog-shell";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import {
  ACTIVE_BULK_OPERATION_STATUSES,
  type BulkOperationKind,
  type BulkOperationStatus,
} from "@/lib/enums";
import type { RunListFiltersInput } from "@/lib/schemas/runs";

type Props = {
  kind: BulkOperationKind | null;
  filters: RunListFiltersInput;
  onClose: () => void;
};

/** "Cancel/Re-run all matching": the server's count of the filter, then one confirmed operation. */
export function BulkByFilterDialog({ kind, filters, onClose }: Props) {
  return (
    <Dialog open={kind !== null} onOpenChange={(open) => !open && onClose()}>
      <DialogContent>
        {/* Mounted while open only: each opening counts again and gets its own idempotency key. */}
        {kind && <BulkByFilterForm kind={kind} filters={filters} onDone={onClose} />}
      </DialogContent>
    </Dialog>
  );
}

const WORDS = {
  cancel: {
    title: "Cancel all matching runs?",
    verb: "Cancel",
    what: (count: number) =>
      `${plural(count, "queued or running run")} match the current filter, including runs not loaded on this page. Each stops at its next step and keeps no deliverable; runs that end first are left alone.`,
  },
  rerun: {
    title: "Re-run all matching runs?",
    verb: "Re-run",
    what: (count: number) =>
      `${plural(count, "run")} match the current filter, including runs not loaded on this page. Each re-run is a new paid model call with its original's inputs and agent.`,
  },
} as const;

/** How a repeated confirmation of an operation that already ended words its end. */
const ENDED_AS: Record<BulkOperationStatus, string> = {
  queued: "not started yet",
  running: "not finished yet",
  completed: "completed",
  cancelled: "been stopped",
  failed: "failed",
};

/** The overrides as typed: empty is none; anything else must be a JSON object. */
function parseOverrides(text: string): { value?: Record<string, unknown>; error?: string } {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value))
      return { value: value as Record<string, unknown> };
  } catch {
    // Reported below, as for any other shape.
  }
  return { error: 'Write the overrides as a JSON object, e.g. {"tone": "formal"}.' };
}

function BulkByFilterForm({
  kind,
  filters,
  onDone,
}: {
  kind: BulkOperationKind;
  filters: RunListFiltersInput;
  onDone: () => void;
}) {
  const trpc = useTRPC();
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const [overrides, setOverrides] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const count = useQuery(trpc.bulkOperations.count.queryOptions({ kind, filters }));
  const start = useToastMutation(trpc.bulkOperations.start.mutationOptions(), {
    invalidate: [trpc.bulkOperations.recent.queryKey()],
    success: ({ operation, created }) =>
      created || ACTIVE_BULK_OPERATION_STATUSES.includes(operation.status)
        ? `${WORDS[kind].verb} of ${plural(operation.total, "run")} started`
        : `This ${WORDS[kind].verb.toLowerCase()} was already confirmed and has ${ENDED_AS[operation.status]}`,
    afterSuccess: onDone,
  });
  const words = WORDS[kind];
  const total = count.data?.count;
  const overCap = count.data !== undefined && count.data.count > count.data.max;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseOverrides(overrides);
    if (parsed.error) return setError(parsed.error);
    setError(null);
    setServerError(null);
    start.mutate(
      { kind, filters, idempotencyKey, inputOverrides: parsed.value, confirmedTotal: total ?? 0 },
      {
        onError: (failure) => {
          setServerError(failure.message);
          // More runs match than were confirmed: the new count is shown, to be confirmed again.
          if (failure.data?.code === "CONFLICT") void count.refetch();
        },
      },
    );
  };
  const description =
    total === undefined
      ? count.isError
        ? `The matching runs could not be counted: ${count.error.message}`
        : "Counting the matching runs…"
      : overCap && count.data
        ? `More than ${count.data.max.toLocaleString("en")} runs match the current filter; one operation takes at most ${count.data.max.toLocaleString("en")}. Narrow the filter.`
        : words.what(total);
  return (
    <FormDialogShell
      label={words.title}
      title={words.title}
      description={description}
      onSubmit={submit}
      serverError={serverError ?? undefined}
      serverErrorTitle={`The ${words.verb.toLowerCase()} did not start`}
      onCancel={onDone}
      pending={start.isPending}
      disabled={!total || overCap}
      submitLabel={total && !overCap ? `${words.verb} ${plural(total, "run")}` : words.verb}
    >
      {kind === "rerun" && (
        <OverridesField
          value={overrides}
          onChange={setOverrides}
          skillChosen={Boolean(filters.skillId)}
          error={error}
        />
      )}
    </FormDialogShell>
  );
}

/** A re-run's optional input overrides, as JSON, with the reason it could not be read. */
function OverridesField({
  value,
  onChange,
  skillChosen,
  error,
}: {
  value: string;
  onChange: (value: string) => void;
  skillChosen: boolean;
  error: string | null;
}) {
  const ids = { overrides: useId(), error: useId() };
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={ids.overrides}>Input overrides (optional)</Label>
      <Textarea
        id={ids.overrides}
        value={value}
        rows={4}
        placeholder={skillChosen ? '{"tone": "formal"}' : "Filter to one skill first"}
        disabled={!skillChosen}
        aria-describedby={error ? ids.error : undefined}
        onChange={(event) => onChange(event.target.value)}
        className="font-mono text-xs"
      />
      <p className="text-muted-foreground text-xs">
        A JSON object; each named input replaces the original run&apos;s, checked against the
        skill&apos;s inputs before anything starts.
      </p>
      <FieldError id={ids.error} message={error ?? undefined} />
    </div>
  );
}
