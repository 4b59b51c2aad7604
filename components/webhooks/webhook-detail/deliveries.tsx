"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw } from "lucide-react";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { LiveIndicator } from "@/components/shell/live-indicator";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { DeliveriesTable } from "./deliveries-table";

const PAGE_SIZE = 50;

const subscribeToHash = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
};
const linkedDeliveryId = () => /^#delivery-(.+)$/.exec(window.location.hash)?.[1] ?? null;

/**
 * The loaded delivery a link names in the URL's hash (`#delivery-<id>`, from a run's page). Its
 * row only exists once the first page has loaded, after the browser looked for the hash's target;
 * so when the data first arrives, scroll to it. Only the first load scrolls, so polling never
 * yanks the page; a delivery beyond the first page is not scrolled to.
 */
function useLinkedDelivery(rows: { id: string }[], loaded: boolean): string | null {
  const hashId = useSyncExternalStore(subscribeToHash, linkedDeliveryId, () => null);
  const linkedId = hashId !== null && rows.some((row) => row.id === hashId) ? hashId : null;
  const scrolled = useRef(false);
  useEffect(() => {
    if (scrolled.current || !loaded) return;
    scrolled.current = true;
    if (linkedId)
      document.getElementById(`delivery-${linkedId}`)?.scrollIntoView({ block: "center" });
  }, [loaded, linkedId]);
  return linkedId;
}

export function Deliveries({ webhookId }: { webhookId: string }) {
  const trpc = useTRPC();
  const deliveries = useInfiniteQuery({
    ...trpc.webhooks.deliveries.infiniteQueryOptions(
      { webhookId, limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor },
    ),
    // Live while the page is open (TanStack pauses it in a background tab): senders do not wait for operators.
    refetchInterval: LIVE_POLL_MS,
  });
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];
  const linkedId = useLinkedDelivery(rows, deliveries.data !== undefined);

  return (
    <Card className="mt-4">
      <CardHeader className="flex flex-row flex-wrap items-center justify-between gap-2">
        <div className="flex flex-col gap-1">
          <CardTitle>Deliveries</CardTitle>
          <LiveIndicator query={deliveries} />
        </div>
        <Button
          size="sm"
          variant="outline"
          onClick={() => void deliveries.refetch()}
          disabled={deliveries.isFetching}
        >
          <RefreshCw aria-hidden className={deliveries.isFetching ? "animate-spin" : undefined} />
          Refresh
        </Button>
      </CardHeader>
      <CardContent>
        <QueryView
          query={deliveries}
          loading={<Skeleton className="h-32" aria-label="Loading deliveries" />}
          errorTitle="Deliveries could not be loaded"
          isEmpty={() => rows.length === 0}
          empty={
            <p className="text-muted-foreground text-sm">
              No deliveries yet. Send one with the example above.
            </p>
          }
        >
          {() => (
            <>
              <DeliveriesTable deliveries={rows} highlightedId={linkedId} />
              {deliveries.hasNextPage && (
                <Button
                  variant="outline"
                  className="mt-3"
                  onClick={() => void deliveries.fetchNextPage()}
                  disabled={deliveries.isFetchingNextPage}
                >
                  {deliveries.isFetchingNextPage && (
                    <LoaderCircle aria-hidden className="animate-spin" />
                  )}
                  Load more
                </Button>
              )}
            </>
          )}
        </QueryView>
      </CardContent>
    </Card>
  );
}
