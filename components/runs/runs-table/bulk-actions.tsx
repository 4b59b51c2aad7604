"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Ban, LoaderCircle, RotateCcw } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { plural } from "@/components/plural";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { Button } from "@/components/ui/button";
import type { RunRow } from "./columns";
import { summariseSettled } from "./settled";

/** Cancel or re-run the selected runs, one request each; the toast says how many worked. */
export function BulkActions({ selected, onDone }: { selected: RunRow[]; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const cancel = useMutation(trpc.runs.cancel.mutationOptions());
  const rerun = useMutation(trpc.runs.rerun.mutationOptions());
  const cancellable = selected.filter((run) => run.cancellable);

  const finish = async () => {
    onDone();
    await queryClient.invalidateQueries({ queryKey: trpc.runs.list.pathKey() });
  };
  const cancelSelected = async () => {
    const outcome = summariseSettled(
      await Promise.allSettled(cancellable.map((run) => cancel.mutateAsync({ runId: run.id }))),
    );
    if (outcome.failed === 0) toast.success(`Cancelled ${plural(cancellable.length, "run")}`);
    else
      toast.error(`Cancelled ${outcome.succeeded} of ${cancellable.length}: ${outcome.firstError}`);
    await finish();
  };
  const rerunSelected = async () => {
    const outcome = summariseSettled(
      await Promise.allSettled(selected.map((run) => rerun.mutateAsync({ runId: run.id }))),
    );
    if (outcome.failed === 0) toast.success(`Started ${plural(outcome.succeeded, "re-run")}`);
    else toast.error(`Started ${outcome.succeeded} of ${selected.length} re-runs`);
    await finish();
  };

  return (
    <>
      <div className="mb-3 flex min-h-9 items-center gap-2 text-sm" aria-live="polite">
        {selected.length > 0 ? (
          <>
            <span className="text-muted-foreground mr-2">
              {plural(selected.length, "run")} selected
            </span>
            <Button
              size="sm"
              variant="outline"
              disabled={cancellable.length === 0 || cancel.isPending}
              onClick={() => setConfirmCancel(true)}
            >
              <Ban aria-hidden />
              Cancel selected{cancellable.length ? ` (${cancellable.length})` : ""}
            </Button>
            <Button
              size="sm"
              variant="outline"
              disabled={rerun.isPending}
              onClick={() => void rerunSelected()}
            >
              {rerun.isPending ? (
                <LoaderCircle aria-hidden className="animate-spin" />
              ) : (
                <RotateCcw aria-hidden />
              )}
              Re-run selected
            </Button>
            <Button size="sm" variant="ghost" onClick={onDone}>
              Clear selection
            </Button>
          </>
        ) : (
          <span className="text-muted-foreground text-xs">
            j / k to move · Enter to open · x to select
          </span>
        )}
      </div>
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title={`Cancel ${plural(cancellable.length, "run")}?`}
        description={`${cancellable.length} of the ${plural(selected.length, "selected run")} can still be cancelled; finished runs are left as they are. A cancelled run stops at its next step and keeps no deliverable.`}
        cancelLabel="Keep them"
        confirmLabel={`Cancel ${plural(cancellable.length, "run")}`}
        onConfirm={() => void cancelSelected()}
      />
    </>
  );
}
