"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Archive, LoaderCircle, Save, SearchCheck } from "lucide-react";
import { useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { retentionPolicyInput, type RetentionPolicyInput } from "@/lib/schemas/retention";

type Fields = { runDays: string; deliverableDays: string };
type FieldErrors = Partial<Record<keyof Fields, string>>;
type Counts = { runs: number; deliverables: number };

const SWEEP_NOTE = "The next sweep does it, and it cannot be undone.";
const count = new Intl.NumberFormat("en-US");
const daysText = (value: number | null) => (value === null ? "" : String(value));
/** Empty is "keep forever"; anything else must be a whole number (the schema says which). */
const daysOf = (text: string) => (text.trim() === "" ? null : Number(text.trim()));

function parseRetentionFields(
  fields: Fields,
): { policy: RetentionPolicyInput } | { errors: FieldErrors } {
  const parsed = retentionPolicyInput.safeParse({
    runDays: daysOf(fields.runDays),
    deliverableDays: daysOf(fields.deliverableDays),
  });
  if (parsed.success) return { policy: parsed.data };
  return {
    errors: Object.fromEntries(
      parsed.error.issues.map((issue) => [
        String(issue.path[0]),
        issue.code === "invalid_type" ? "must be a number of days" : issue.message,
      ]),
    ),
  };
}

/** "This would delete 1,234 runs and clear 56 deliverables now." */
export const dryRunSentence = ({ runs, deliverables }: Counts) =>
  `This would delete ${count.format(runs)} ${runs === 1 ? "run" : "runs"} and clear ${count.format(deliverables)} ${deliverables === 1 ? "deliverable" : "deliverables"} now.`;

/** The tenant's retention policy, with a dry run of what it would remove before it is saved. */
export function RetentionSettings() {
  const trpc = useTRPC();
  const policy = useQuery(trpc.retention.policy.queryOptions());
  return (
    <Card id="retention" className="scroll-mt-20">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Archive className="size-4" aria-hidden /> Retention
        </CardTitle>
        <p className="text-muted-foreground text-sm">
          Ended runs older than the run retention are deleted with their timelines; deliverables
          older than the (shorter) deliverable retention are cleared while the run stays, marked as
          expired. Queued and running runs are never touched. A sweep runs every 15 minutes and
          records what it removed in the audit log. Leave a field empty to keep forever.
        </p>
      </CardHeader>
      <CardContent>
        <QueryView
          query={policy}
          loading={<Skeleton className="h-24" />}
          errorTitle="The retention policy could not be loaded"
        >
          {(data) => <RetentionForm key={JSON.stringify(data)} saved={data} />}
        </QueryView>
      </CardContent>
    </Card>
  );
}

/** The dry run of the form's policy, asked fresh each time (the counts move with the clock). */
function useRetentionDryRun(fields: Fields, setErrors: (errors: FieldErrors) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dryRun, setDryRun] = useState<{ policy: RetentionPolicyInput; counts: Counts } | null>(
    null,
  );
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<string | null>(null);
  const check = async () => {
    const parsed = parseRetentionFields(fields);
    setErrors("errors" in parsed ? parsed.errors : {});
    if (!("policy" in parsed)) return null;
    setChecking(true);
    setCheckError(null);
    try {
      const counts = await queryClient.fetchQuery({
        ...trpc.retention.preview.queryOptions(parsed.policy),
        staleTime: 0,
      });
      const result = { policy: parsed.policy, counts };
      setDryRun(result);
      return result;
    } catch (error) {
      setCheckError(error instanceof Error ? error.message : "The dry run failed.");
      return null;
    } finally {
      setChecking(false);
    }
  };
  return { dryRun, checking, checkError, check, reset: () => setDryRun(null) };
}

function RetentionForm({ saved }: { saved: RetentionPolicyInput }) {
  const trpc = useTRPC();
  const id = useId();
  const [fields, setFields] = useState<Fields>({
    runDays: daysText(saved.runDays),
    deliverableDays: daysText(saved.deliverableDays),
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const { dryRun, checking, checkError, check, reset } = useRetentionDryRun(fields, setErrors);
  const [confirming, setConfirming] = useState(false);
  const save = useToastMutation(trpc.retention.update.mutationOptions(), {
    success: "Retention policy saved",
    invalidate: [trpc.retention.policy.queryKey()],
  });
  const field = (name: keyof Fields, label: string, hint: string) => (
    <RetentionField
      id={`${id}-${name}`}
      label={label}
      hint={hint}
      error={errors[name]}
      value={fields[name]}
      onChange={(value) => {
        setFields({ ...fields, [name]: value });
        reset();
      }}
    />
  );

  return (
    <form
      aria-label="Retention"
      className="flex flex-col gap-4"
      noValidate
      onSubmit={async (event) => {
        event.preventDefault();
        if (await check()) setConfirming(true);
      }}
    >
      <div className="flex flex-wrap items-start gap-3">
        {field("runDays", "Keep runs (days)", "Older ended runs are deleted.")}
        {field("deliverableDays", "Keep deliverables (days)", "Shorter: the run stays.")}
      </div>
      <DryRunStatus counts={dryRun?.counts ?? null} error={checkError} />
      <div className="flex flex-wrap gap-2">
        <Button type="button" variant="outline" disabled={checking} onClick={() => void check()}>
          {checking ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <SearchCheck aria-hidden />
          )}
          Dry run
        </Button>
        <Button type="submit" disabled={checking || save.isPending}>
          {save.isPending ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <Save aria-hidden />
          )}
          Save retention
        </Button>
      </div>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Save this retention policy?"
        description={dryRun ? `${dryRunSentence(dryRun.counts)} ${SWEEP_NOTE}` : ""}
        cancelLabel="Keep editing"
        confirmLabel="Save retention"
        destructive={Boolean(dryRun && (dryRun.counts.runs || dryRun.counts.deliverables))}
        pending={save.isPending}
        onConfirm={() => {
          if (dryRun) save.mutate(dryRun.policy);
          setConfirming(false);
        }}
      />
    </form>
  );
}

function RetentionField(props: {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  value: string;
  onChange: (value: string) => void;
}) {
  const { id, label, hint, error } = props;
  return (
    <div className="flex min-w-40 flex-1 flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input
        id={id}
        value={props.value}
        inputMode="numeric"
        placeholder="Keep forever"
        onChange={(event) => props.onChange(event.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint`}
      />
      <p id={`${id}-hint`} className="text-muted-foreground text-xs">
        {error ? <span className="text-destructive">{`${label} ${error}.`}</span> : hint}
      </p>
    </div>
  );
}

/** The dry run's answer, announced to screen readers as it changes. */
function DryRunStatus({ counts, error }: { counts: Counts | null; error: string | null }) {
  return (
    <p className="text-sm" role="status" aria-live="polite" data-testid="retention-dry-run">
      {error ? (
        <span className="text-destructive">{error}</span>
      ) : counts ? (
        dryRunSentence(counts)
      ) : (
        <span className="text-muted-foreground">
          Check what a policy would remove before saving it.
        </span>
      )}
    </p>
  );
}
