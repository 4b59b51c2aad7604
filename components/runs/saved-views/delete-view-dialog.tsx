"use client";

import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";

type Props = {
  view: { id: string; name: string; shared: boolean };
  open: boolean;
  onOpenChange: (open: boolean) => void;
};

/** Asks before deleting a saved view; what disappears depends on whether it is shared. */
export function DeleteViewDialog({ view, open, onOpenChange }: Props) {
  const trpc = useTRPC();
  const remove = useToastMutation(trpc.savedViews.delete.mutationOptions(), {
    success: "View deleted",
    invalidate: [trpc.savedViews.list.queryKey()],
  });
  return (
    <ConfirmDialog
      open={open}
      onOpenChange={onOpenChange}
      title={`Delete “${view.name}”?`}
      description={
        view.shared
          ? "It disappears from every member's sidebar. The runs stay as they are."
          : "It disappears from your sidebar. The runs stay as they are."
      }
      cancelLabel="Keep it"
      confirmLabel="Delete view"
      destructive
      pending={remove.isPending}
      onConfirm={() => remove.mutate({ viewId: view.id })}
    />
  );
}
