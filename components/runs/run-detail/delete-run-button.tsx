"use client";

import { LoaderCircle, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";

/**
 * Deletes the run and its timeline, for admins (the server refuses everyone else). A live run
 * is refused by the server with "cancel it first", which the toast shows.
 */
export function DeleteRunButton({ runId, ended }: { runId: string; ended: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const [confirming, setConfirming] = useState(false);
  const remove = useToastMutation(trpc.runs.delete.mutationOptions(), {
    success: "Run deleted",
    invalidate: [trpc.runs.list.pathKey()],
    afterSuccess: () => router.push("/runs"),
  });
  if (!can("admin")) return null;
  return (
    <>
      <Button variant="outline" onClick={() => setConfirming(true)} disabled={remove.isPending}>
        {remove.isPending ? (
          <LoaderCircle aria-hidden className="animate-spin" />
        ) : (
          <Trash2 aria-hidden />
        )}
        Delete
      </Button>
      <ConfirmDialog
        open={confirming}
        onOpenChange={setConfirming}
        title="Delete this run?"
        description={
          ended
            ? "The run, its deliverable and its timeline are deleted for good. The audit log keeps a record that you deleted it."
            : "This run is still live: cancel it first, then delete it."
        }
        cancelLabel="Keep the run"
        confirmLabel="Delete run"
        pending={remove.isPending}
        onConfirm={() => {
          setConfirming(false);
          remove.mutate({ runId });
        }}
      />
    </>
  );
}
