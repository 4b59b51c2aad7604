"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { Skeleton } from "@/components/ui/skeleton";

/** The delivery's JSON body as it was received, fetched when first shown. */
export function DeliveryPayload({ deliveryId }: { deliveryId: string }) {
  const trpc = useTRPC();
  const payload = useQuery(trpc.webhooks.deliveryPayload.queryOptions({ deliveryId }));
  return (
    <QueryView
      query={payload}
      loading={<Skeleton className="h-16" />}
      errorTitle="The payload could not be loaded"
    >
      {(body) => (
        <pre className="bg-muted max-h-80 overflow-auto rounded-md p-3 font-mono text-xs">
          {JSON.stringify(body, null, 2)}
        </pre>
      )}
    </QueryView>
  );
}
