"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, GitCompareArrows, LoaderCircle, RotateCcw } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { toast } from "sonner";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { Button } from "@/components/ui/button";
import { MAX_LISTED_RUN_IDS } from "@/lib/run-list";
import { compareHref } from "../compare/compare-href";
import { runsHref } from "../run-filters";
import type { RunRow } from "./columns";
import { summariseSettled } from "./settled";

/** Where the toast after a bulk re-run sends you: the one new run, or the list of them. */
function newRunsLink(runIds: string[]) {
  if (runIds.length === 1) return { href: `/runs/${runIds[0]}`, label: "Open the re-run" };
  if (runIds.length <= MAX_LISTED_RUN_IDS)
    return { href: runsHref({ ids: runIds }), label: `Show the ${runIds.length} re-runs` };
  return { href: runsHref({ source: "rerun" }), label: "Show the re-runs" };
}

/** What is being cancelled: the selection, or every running and queued run the list has loaded. */
type CancelScope = { runs: RunRow[]; of: "selected" | "loaded" };

function cancelDescription({ runs, of }: CancelScope, selected: number) {
  const after = "A cancelled run stops at its next step and keeps no deliverable.";
  return of === "selected"
    ? `${runs.length} of the ${plural(selected, "selected run")} can still be cancelled; finished runs are left as they are. ${after}`
    : `Every running or queued run loaded in this list: ${plural(runs.length, "run")}. ${after}`;
}

/** Cancel or re-run runs, one request each; the toast says how many worked, and links re-runs. */
function useBulkMutations(onDone: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const rerun = useMutation(trpc.runs.rerun.mutationOptions());

  const finish = async () => {
    onDone();
    await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
  };
  const cancelRuns = async (runs: RunRow[]) => {
    const outcome = summariseSettled(
      await Promise.allSettled(runs.map((run) => cancel.mutateAsync({ runId: run.id }))),
    );
    if (outcome.failed === 0) toast.success(`Cancelled ${plural(runs.length, "run")}`);
    else toast.error(`Cancelled ${outcome.succeeded} of ${runs.length}: ${outcome.firstError}`);
    await finish();
  };
  const rerunRuns = async (runs: RunRow[]) => {
    const results = await Promise.allSettled(
      runs.map((run) => rerun.mutateAsync({ runId: run.id })),
    );
    const started = results.flatMap((result) =>
      result.status === "fulfilled" ? [result.value.runId] : [],
    );
    const outcome = summariseSettled(results);
    const link = started.length ? newRunsLink(started) : null;
    const description = link && (
      <Link href={link.href} className="underline underline-offset-2">
        {link.label}
      </Link>
    );
    if (outcome.failed === 0)
      toast.success(`Started ${plural(outcome.succeeded, "re-run")}`, { description });
    else
      toast.error(`Started ${outcome.succeeded} of ${runs.length} re-runs: ${outcome.firstError}`, {
        description,
      });
    await finish();
  };
  return { cancelRuns, rerunRuns, cancelling: cancel.isPending, rerunning: rerun.isPending };
}

/**
 * Exactly two runs selected: compare them, the older as A. Runs of different skills cannot be
 * compared, and the button says why instead of leading to a refusal.
 */
function CompareButton({ pair: [first, second] }: { pair: [RunRow, RunRow] }) {
  const [older, newer] = first.createdAt <= second.createdAt ? [first, second] : [second, first];
  if (older.skill.id !== newer.skill.id)
    return (
      <Button
        size="sm"
        variant="outline"
        disabled
        title="Only runs of the same skill can be compared"
      >
        <GitCompareArrows aria-hidden />
        Compare (different skills)
      </Button>
    );
  return (
    <Button asChild size="sm" variant="outline">
      <Link href={compareHref(older.id, newer.id)}>
        <GitCompareArrows aria-hidden />
        Compare
      </Link>
    </Button>
  );
}

/** What can be done with the selected runs. */
function SelectionButtons({
  count,
  cancellable,
  cancelling,
  rerunning,
  onCancel,
  onRerun,
  onClear,
  compare,
}: {
  compare: [RunRow, RunRow] | null;
  count: number;
  cancellable: number;
  cancelling: boolean;
  rerunning: boolean;
  onCancel: () => void;
  onRerun: () => void;
  onClear: () => void;
}) {
  return (
    <>
      <span className="text-muted-foreground mr-2">{plural(count, "run")} selected</span>
      <Button
        size="sm"
        variant="outline"
        disabled={cancellable === 0 || cancelling}
        onClick={onCancel}
      >
        <Ban aria-hidden />
        Cancel selected{cancellable ? ` (${cancellable})` : ""}
      </Button>
      <Button size="sm" variant="outline" disabled={rerunning} onClick={onRerun}>
        {rerunning ? (
          <LoaderCircle aria-hidden className="animate-spin" />
        ) : (
          <RotateCcw aria-hidden />
        )}
        Re-run selected
      </Button>
      {compare && <CompareButton pair={compare} />}
      <Button size="sm" variant="ghost" onClick={onClear}>
        Clear selection
      </Button>
    </>
  );
}

/**
 * Cancel or re-run the selected runs (a re-run is confirmed: each is a paid model call), or
 * cancel every running and queued run loaded.
 */
export function BulkActions({
  selected,
  loaded,
  onDone,
}: {
  selected: RunRow[];
  loaded: RunRow[];
  onDone: () => void;
}) {
  const { cancelRuns, rerunRuns, cancelling, rerunning } = useBulkMutations(onDone);
  const [cancelScope, setCancelScope] = useState<CancelScope>({ runs: [], of: "selected" });
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [confirmRerun, setConfirmRerun] = useState(false);
  const askCancel = (scope: CancelScope) => {
    setCancelScope(scope);
    setConfirmCancel(true);
  };
  const cancellable = selected.filter((run) => run.cancellable);
  const live = loaded.filter((run) => run.cancellable);

  return (
    <>
      <div className="flex min-h-9 flex-wrap items-center gap-2 text-sm" aria-live="polite">
        {selected.length > 0 ? (
          <SelectionButtons
            count={selected.length}
            cancellable={cancellable.length}
            cancelling={cancelling}
            rerunning={rerunning}
            onCancel={() => askCancel({ runs: cancellable, of: "selected" })}
            onRerun={() => setConfirmRerun(true)}
            onClear={onDone}
            compare={
              selected.length === 2 && selected[0] && selected[1]
                ? [selected[0], selected[1]]
                : null
            }
          />
        ) : (
          <>
            {live.length > 0 && (
              <Button
                size="sm"
                variant="outline"
                disabled={cancelling}
                onClick={() => askCancel({ runs: live, of: "loaded" })}
              >
                <Ban aria-hidden />
                Cancel the {live.length} running or queued shown
              </Button>
            )}
            <span className="text-muted-foreground hidden text-xs md:inline">
              j / k to move · Enter to open · x to select
            </span>
          </>
        )}
      </div>
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title={`Cancel ${plural(cancelScope.runs.length, "run")}?`}
        description={cancelDescription(cancelScope, selected.length)}
        cancelLabel="Keep them"
        confirmLabel={`Cancel ${plural(cancelScope.runs.length, "run")}`}
        onConfirm={() => void cancelRuns(cancelScope.runs)}
      />
      <ConfirmDialog
        open={confirmRerun}
        onOpenChange={setConfirmRerun}
        title={`Re-run ${plural(selected.length, "run")}?`}
        description="Each starts a new paid model call, with its original's inputs and agent."
        cancelLabel="Not now"
        confirmLabel={`Re-run ${plural(selected.length, "run")}`}
        destructive={false}
        onConfirm={() => void rerunRuns(selected)}
      />
    </>
  );
}
