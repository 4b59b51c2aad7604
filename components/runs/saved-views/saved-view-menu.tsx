"use client";

import { Bookmark, ChevronDown, Pencil, Trash2, UserRoundX } from "lucide-react";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { DeleteViewDialog } from "./delete-view-dialog";
import { SavedViewDialog } from "./saved-view-dialog";
import { useSavedViews } from "./use-saved-views";

/**
 * The history's "Save view" control. When the address bar shows a saved view, its name becomes
 * the control, with "Edit" for the member's own view and "Delete" where allowed (own views;
 * shared ones for admins). A creator who can no longer share (demoted) may only stop sharing theirs.
 */
export function SavedViewMenu() {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const { current, currentQuery } = useSavedViews();
  const canShare = can("operator");
  const [editing, setEditing] = useState<"new" | "existing" | null>(null);
  const [deleting, setDeleting] = useState(false);
  const unshare = useToastMutation(trpc.savedViews.update.mutationOptions(), {
    success: "View no longer shared",
    invalidate: [trpc.savedViews.list.queryKey()],
  });
  const dialog = (
    <SavedViewDialog
      open={editing !== null}
      onOpenChange={(open) => !open && setEditing(null)}
      query={currentQuery ?? ""}
      existing={editing === "existing" ? current : undefined}
      canShare={canShare}
    />
  );
  if (!current)
    return (
      <>
        <Button variant="outline" onClick={() => setEditing("new")}>
          <Bookmark aria-hidden />
          Save view
        </Button>
        {dialog}
      </>
    );
  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" aria-label={`Saved view: ${current.name}`}>
            <Bookmark aria-hidden className="fill-current" />
            <span className="max-w-40 truncate">{current.name}</span>
            <ChevronDown aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end">
          <DropdownMenuItem onSelect={() => setEditing("new")}>
            <Bookmark aria-hidden />
            Save as a new view…
          </DropdownMenuItem>
          {current.mine && (canShare || !current.shared) && (
            <DropdownMenuItem onSelect={() => setEditing("existing")}>
              <Pencil aria-hidden />
              Edit view…
            </DropdownMenuItem>
          )}
          {current.mine && current.shared && !canShare && (
            <DropdownMenuItem
              onSelect={() => unshare.mutate({ viewId: current.id, shared: false })}
            >
              <UserRoundX aria-hidden />
              Stop sharing
            </DropdownMenuItem>
          )}
          {current.deletable && (
            <DropdownMenuItem className="text-destructive" onSelect={() => setDeleting(true)}>
              <Trash2 aria-hidden />
              Delete view…
            </DropdownMenuItem>
          )}
        </DropdownMenuContent>
      </DropdownMenu>
      {dialog}
      <DeleteViewDialog view={current} open={deleting} onOpenChange={setDeleting} />
    </>
  );
}
