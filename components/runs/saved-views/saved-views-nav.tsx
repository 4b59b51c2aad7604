"use client";

import { ChevronRight, Users } from "lucide-react";
import Link from "next/link";
import { useId, useState } from "react";
import { cn } from "@/components/ui/cn";
import { savedViewHref, useSavedViews } from "./use-saved-views";

/**
 * The saved views under "Runs" in the sidebar: the member's private views and the tenant's
 * shared ones (marked), the one the address bar shows highlighted. A disclosure button folds
 * the list; the phone drawer starts folded so the main links stay in reach.
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
