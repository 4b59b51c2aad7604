"use client";

import type { inferRouterOutputs } from "@trpc/server";
import { Fragment, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import type { AppRouter } from "@/server/trpc/root";
import { DeliveryPayload } from "./delivery-payload";
import { DeliveryRow } from "./delivery-row";

export type Delivery =
  inferRouterOutputs<AppRouter>["webhooks"]["deliveries"]["deliveries"][number];

/**
 * One row per delivery; one with a payload can show it below, and be replayed where that can work.
 * `highlightedId` marks the delivery a link pointed at.
 */
export function DeliveriesTable({
  deliveries,
  highlightedId = null,
}: {
  deliveries: Delivery[];
  highlightedId?: string | null;
}) {
  const trpc = useTRPC();
  const [openPayload, setOpenPayload] = useState<string | null>(null);
  const replay = useToastMutation(trpc.webhooks.replay.mutationOptions(), {
    success: ({ runId }) => ({
      message: "Delivery replayed",
      link: { label: "Open run", href: `/runs/${runId}` },
    }),
    invalidate: [trpc.webhooks.pathKey()],
  });

  return (
    <Table aria-label="Deliveries">
      <TableHeader>
        <TableRow>
          <TableHead>Received</TableHead>
          <TableHead className="hidden md:table-cell">Delivery id</TableHead>
          <TableHead>Verdict</TableHead>
          <TableHead>Run</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deliveries.map((delivery) => (
          <Fragment key={delivery.id}>
            <DeliveryRow
              delivery={delivery}
              highlighted={highlightedId === delivery.id}
              payloadOpen={openPayload === delivery.id}
              onTogglePayload={() =>
                setOpenPayload(openPayload === delivery.id ? null : delivery.id)
              }
              replaying={replay.isPending}
              onReplay={() => replay.mutate({ deliveryId: delivery.id })}
            />
            {openPayload === delivery.id && (
              <TableRow>
                <TableCell colSpan={5}>
                  <DeliveryPayload deliveryId={delivery.id} />
                </TableCell>
              </TableRow>
            )}
          </Fragment>
        ))}
      </TableBody>
    </Table>
  );
}
