"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw } from "lucide-react";
import { LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { LiveIndicator } from "@/components/shell/live-indicator";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { DeliveriesTable } from "./deliveries-table";

const PAGE_SIZE = 50;

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
              <DeliveriesTable deliveries={rows} />
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
