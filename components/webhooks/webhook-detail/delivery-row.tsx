"use client";

import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { formatAbsolute, formatRelative } from "@/components/format";
import { RunStatusBadge } from "@/components/runs/run-status";
import { Button } from "@/components/ui/button";
import { TableCell, TableRow } from "@/components/ui/table";
import { DeliveryVerdictBadge } from "../delivery-verdict";
import type { Delivery } from "./deliveries-table";

export function DeliveryRow({
  delivery,
  payloadOpen,
  onTogglePayload,
  replaying,
  onReplay,
}: {
  delivery: Delivery;
  payloadOpen: boolean;
  onTogglePayload: () => void;
  replaying: boolean;
  onReplay: () => void;
}) {
  const { can } = useTenantRole();
  return (
    <TableRow data-delivery-id={delivery.id}>
      <TableCell>
        <time
          dateTime={delivery.receivedAt.toISOString()}
          title={formatAbsolute(delivery.receivedAt)}
        >
          {formatRelative(delivery.receivedAt)}
        </time>
        <div className="text-muted-foreground text-xs">
          HTTP {delivery.httpStatus} · {delivery.bodyBytes.toLocaleString()} bytes
          {delivery.replayOfId && " · replay"}
        </div>
      </TableCell>
      <TableCell
        className="max-w-48 truncate font-mono text-xs"
        title={delivery.deliveryId ?? undefined}
      >
        {delivery.deliveryId ?? "—"}
      </TableCell>
      <TableCell>
        <DeliveryVerdictBadge verdict={delivery.verdict} />
        {delivery.error && (
          <p className="text-muted-foreground mt-1 max-w-72 text-xs">{delivery.error}</p>
        )}
      </TableCell>
      <TableCell>
        {delivery.run?.id ? (
          <Link
            href={`/runs/${delivery.run.id}`}
            className="inline-flex items-center gap-2 hover:underline"
          >
            <RunStatusBadge status={delivery.run.status} />
            <span className="font-mono text-xs">{delivery.run.id.slice(0, 8)}</span>
          </Link>
        ) : (
          <span className="text-muted-foreground">—</span>
        )}
      </TableCell>
      <TableCell className="text-right whitespace-nowrap">
        {delivery.replayable && (
          <Button size="sm" variant="ghost" aria-expanded={payloadOpen} onClick={onTogglePayload}>
            Payload
          </Button>
        )}
        {delivery.replayable && can("operator") && (
          <Button size="sm" variant="outline" onClick={onReplay} disabled={replaying}>
            Replay
          </Button>
        )}
      </TableCell>
    </TableRow>
  );
}
