"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw } from "lucide-react";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { DeliveriesTable } from "./deliveries-table";

/** The delivery log refreshes this often while the page is open: senders do not wait for operators. */
const DELIVERY_POLL_MS = 5_000;
const PAGE_SIZE = 50;

export function Deliveries({ webhookId }: { webhookId: string }) {
  const trpc = useTRPC();
  const deliveries = useInfiniteQuery({
    ...trpc.webhooks.deliveries.infiniteQueryOptions(
      { webhookId, limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor },
    ),
    refetchInterval: DELIVERY_POLL_MS,
  });
  const rows = deliveries.data?.pages.flatMap((page) => page.deliveries) ?? [];

  return (
    <Card className="mt-4">
      <CardHeader className="flex flex-row items-center justify-between">
        <CardTitle>Deliveries</CardTitle>
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
