"use client";

import { Ban, LoaderCircle, Pencil, RotateCcw } from "lucide-react";
import { DeleteRunButton } from "./delete-run-button";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useRunNow } from "@/components/shell/run-now-provider";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import type { RunData } from "./run-data";

/**
 * Cancel (while the server says it can), re-run as it was, or re-run with changed inputs. The
 * primary one is Cancel while the run is live, Re-run once it has ended.
 */
export function RunActions({ data }: { data: RunData }) {
  const trpc = useTRPC();
  const runNow = useRunNow();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [confirmRerun, setConfirmRerun] = useState(false);
  const runId = data.id;
  const cancel = useToastMutation(trpc.runs.cancel.mutationOptions(), {
    success: "Run cancelled",
    invalidate: [
      trpc.runs.get.queryKey({ runId }),
      trpc.runs.list.pathKey(),
      trpc.runs.events.queryKey({ runId }),
    ],
    invalidateOnError: true,
  });
  const rerun = useRerun();

  // While the run is live, stopping it is what an operator most likely came to do.
  const live = data.cancellable;
  return (
    <div className="flex flex-wrap gap-2">
      {live && (
        <Button onClick={() => setConfirmCancel(true)} disabled={cancel.isPending}>
          {cancel.isPending ? (
            <LoaderCircle aria-hidden className="animate-spin" />
          ) : (
            <Ban aria-hidden />
          )}
          Cancel
        </Button>
      )}
      <Button
        variant={live ? "outline" : "default"}
        onClick={() => (data.skillChanged ? setConfirmRerun(true) : rerun.mutate({ runId }))}
        disabled={rerun.isPending}
      >
        {rerun.isPending ? (
          <LoaderCircle aria-hidden className="animate-spin" />
        ) : (
          <RotateCcw aria-hidden />
        )}
        Re-run
      </Button>
      <Button
        variant="outline"
        onClick={() =>
          runNow.open({
            skillSlug: data.skill.slug,
            inputs: data.inputs,
            agentId: data.agent?.id ?? null,
            rerunOf: runId,
            rerunOfSkillVersion: data.skillVersion,
          })
        }
      >
        <Pencil aria-hidden />
        Re-run with changes
      </Button>
      <DeleteRunButton runId={runId} ended={!live} />
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title="Cancel this run?"
        description="The agent stops at its next step. A cancelled run keeps no deliverable; you can re-run it later."
        cancelLabel="Keep running"
        confirmLabel="Cancel run"
        onConfirm={() => cancel.mutate({ runId })}
      />
      <ConfirmRerun
        open={confirmRerun}
        onOpenChange={setConfirmRerun}
        skillVersion={data.skillVersion}
        onConfirm={() => rerun.mutate({ runId })}
      />
    </div>
  );
}

/** The one-click re-run of a run whose skill changed since: say so first. */
function ConfirmRerun({
  open,
  onOpenChange,
  skillVersion,
  onConfirm,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  skillVersion: string;
  onConfirm: () => void;
}) {
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title="The skill changed since this run"
      description={`This run used version ${skillVersion.slice(0, 12)}. A re-run uses the skill's current version and its inputs schema, so it may not repeat this run exactly.`}
      cancelLabel="Cancel"
      confirmLabel="Re-run with the current version"
      destructive={false}
      onConfirm={() => {
        onOpenChange(false);
        onConfirm();
      }}
    />
  );
}

function useRerun() {
  const trpc = useTRPC();
  const router = useRouter();
  return useToastMutation(trpc.runs.rerun.mutationOptions(), {
    success: (started) =>
      started.skillChangedSinceOriginal
        ? "Re-run started with the skill's current version"
        : "Re-run started",
    invalidate: [trpc.runs.list.pathKey()],
    afterSuccess: (started) => router.push(`/runs/${started.runId}`),
  });
}
