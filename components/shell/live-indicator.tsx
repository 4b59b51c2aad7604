"use client";

import { useEffect, useState, useSyncExternalStore } from "react";
import { cn } from "@/components/ui/cn";

/** What a polled view's query says about its freshness: TanStack Query's result (plain or infinite) fits. */
export type PolledQuery = {
  /** When data last arrived (ms since the epoch), 0 before it ever did. */
  dataUpdatedAt: number;
  /** When the last failed fetch gave up, 0 if none did. */
  errorUpdatedAt: number;
  /** Failed attempts of the fetch under way (0 once one succeeds). */
  failureCount: number;
};

const subscribeOnline = (onChange: () => void) => {
  window.addEventListener("online", onChange);
  window.addEventListener("offline", onChange);
  return () => {
    window.removeEventListener("online", onChange);
    window.removeEventListener("offline", onChange);
  };
};

/** Whether the browser says it is online; the server renders as if it were. */
export function useOnline(): boolean {
  return useSyncExternalStore(
    subscribeOnline,
    () => navigator.onLine,
    () => true,
  );
}

/**
 * Whether a polled view shows current data: the browser is online and the last poll worked.
 * `updatedAt` is when the shown data arrived; while not live, a view should say "as of" it
 * rather than keep counting time forward from stale data.
 */
export function useLiveness(query: PolledQuery): { live: boolean; updatedAt: number | null } {
  const online = useOnline();
  const failing = query.failureCount > 0 || query.errorUpdatedAt > query.dataUpdatedAt;
  return {
    live: online && !failing,
    updatedAt: query.dataUpdatedAt > 0 ? query.dataUpdatedAt : null,
  };
}

const clock = new Intl.DateTimeFormat("en", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/** Seconds since `since`, ticking once a second while `running`; null before the first tick (and on the server). */
function useSecondsSince(since: number | null, running: boolean): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!running) return;
    const tick = () => setNow(Date.now());
    tick();
    const timer = window.setInterval(tick, 1000);
    return () => window.clearInterval(timer);
  }, [running]);
  if (since === null || now === null) return null;
  return Math.max(0, Math.round((now - since) / 1000));
}

/**
 * "Live · updated 3 s ago" while a polled view is current; "Offline — showing data from 14:02"
 * when the browser is offline or the last poll failed, with no clock counting on over stale data.
 */
export function LiveIndicator({ query, className }: { query: PolledQuery; className?: string }) {
  const { live, updatedAt } = useLiveness(query);
  const seconds = useSecondsSince(updatedAt, live);
  return (
    <div
      className={cn("flex items-center gap-1.5 text-xs whitespace-nowrap", className)}
      data-live={live ? "live" : "offline"}
    >
      <span
        aria-hidden
        className={cn(
          "size-2 shrink-0 rounded-full",
          live ? "bg-emerald-500 dark:bg-emerald-400" : "bg-amber-500 dark:bg-amber-400",
        )}
      />
      <span role="status" className={live ? "text-muted-foreground" : "font-medium"}>
        {live
          ? "Live"
          : `Offline — showing data${updatedAt === null ? "" : ` from ${clock.format(updatedAt)}`}`}
      </span>
      {live && seconds !== null && (
        <span className="text-muted-foreground tabular-nums">
          · updated {seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`} ago
        </span>
      )}
    </div>
  );
}
