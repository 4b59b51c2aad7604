"use client";

import { ChevronRight, Trash2, TriangleAlert, Users } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { cn } from "@/components/ui/cn";
import { DeleteViewDialog } from "./delete-view-dialog";
import { savedViewHref, useSavedViews, type SavedView } from "./use-saved-views";

/**
 * The saved views under "Runs" in the sidebar: the member's private views and the tenant's
 * shared ones (marked), the one the address bar shows highlighted. A disclosure button folds
 * the list; the phone drawer starts folded so the main links stay in reach. A view whose stored
 * query no longer parses is not a link (it would open another list) but says why, with its delete.
 */
export function SavedViewsNav({
  startFolded = false,
  onNavigate,
}: {
  startFolded?: boolean;
  onNavigate?: () => void;
}) {
  const { views, current } = useSavedViews();
  const [open, setOpen] = useState(!startFolded);
  const listId = useId();
  const list = views.data ?? [];
  if (list.length === 0) return null;
  return (
    <div className="border-border ml-[1.125rem] flex flex-col gap-0.5 border-l pl-2">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={listId}
        onClick={() => setOpen(!open)}
        className="text-muted-foreground hover:text-foreground focus-visible:ring-ring flex items-center gap-1 rounded-md px-2.5 py-1 text-left text-xs font-medium outline-none focus-visible:ring-2"
      >
        <ChevronRight
          aria-hidden
          className={cn("size-3 transition-transform", open && "rotate-90")}
        />
        Saved views ({list.length})
      </button>
      {open && (
        <ul id={listId} aria-label="Saved views" className="flex flex-col gap-0.5">
          {list.map((view) => {
            if (view.problem !== null)
              return <InvalidViewItem key={view.id} view={view} problem={view.problem} />;
            const isCurrent = current?.id === view.id;
            return (
              <li key={view.id}>
                <Link
                  href={savedViewHref(view.query)}
                  onClick={onNavigate}
                  aria-current={isCurrent ? "true" : undefined}
                  title={view.shared ? `${view.name} (shared by ${view.ownerName})` : view.name}
                  className={cn(
                    "text-muted-foreground hover:bg-muted hover:text-foreground focus-visible:ring-ring flex min-w-0 items-center gap-2 rounded-md px-2.5 py-1.5 text-[13px] outline-none focus-visible:ring-2",
                    isCurrent && "bg-card text-foreground shadow-xs",
                  )}
                >
                  <span className="truncate">{view.name}</span>
                  {view.shared && (
                    <>
                      <Users aria-hidden className="size-3 shrink-0 opacity-70" />
                      <span className="sr-only">(shared)</span>
                    </>
                  )}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

function InvalidViewItem({ view, problem }: { view: SavedView; problem: string }) {
  const [deleting, setDeleting] = useState(false);
  const explanation = `Its filters no longer apply: ${problem}`;
  return (
    <li className="flex min-w-0 items-start gap-1 px-2.5 py-1.5 text-[13px]">
      <TriangleAlert aria-hidden className="text-destructive mt-0.5 size-3 shrink-0" />
      <div className="flex min-w-0 flex-1 flex-col">
        <span className="text-muted-foreground truncate line-through">
          {view.name}
          <span className="sr-only"> (invalid)</span>
        </span>
        <span className="text-muted-foreground line-clamp-2 text-xs" title={explanation}>
          {explanation}
        </span>
      </div>
      {view.deletable && (
        <button
          type="button"
          aria-label={`Delete ${view.name}`}
          onClick={() => setDeleting(true)}
          className="text-muted-foreground hover:text-destructive focus-visible:ring-ring shrink-0 rounded-md p-0.5 outline-none focus-visible:ring-2"
        >
          <Trash2 aria-hidden className="size-3.5" />
        </button>
      )}
      <DeleteViewDialog view={view} open={deleting} onOpenChange={setDeleting} />
    </li>
  );
}
