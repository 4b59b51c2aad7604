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
  highlighted = false,
  payloadOpen,
  onTogglePayload,
  replaying,
  onReplay,
}: {
  delivery: Delivery;
  highlighted?: boolean;
  payloadOpen: boolean;
  onTogglePayload: () => void;
  replaying: boolean;
  onReplay: () => void;
}) {
  return (
    <TableRow
      id={`delivery-${delivery.id}`}
      data-delivery-id={delivery.id}
      data-highlighted={highlighted || undefined}
      className="target:bg-primary/10 data-highlighted:bg-primary/10 scroll-mt-20 align-top"
    >
      <TableCell>
        <time
          dateTime={delivery.receivedAt.toISOString()}
          title={formatAbsolute(delivery.receivedAt)}
        >
          {formatRelative(delivery.receivedAt)}
        </time>
        <div className="text-muted-foreground text-xs whitespace-nowrap">
          HTTP {delivery.httpStatus} · {delivery.bodyBytes.toLocaleString()} bytes
          {delivery.replayOfId && " · replay"}
        </div>
        {delivery.deliveryId && (
          <div
            className="text-muted-foreground max-w-40 truncate font-mono text-xs md:hidden"
            title={delivery.deliveryId}
          >
            {delivery.deliveryId}
          </div>
        )}
      </TableCell>
      <TableCell
        className="hidden max-w-48 truncate font-mono text-xs md:table-cell"
        title={delivery.deliveryId ?? undefined}
      >
        {delivery.deliveryId ?? "—"}
      </TableCell>
      <TableCell>
        <DeliveryVerdictBadge verdict={delivery.verdict} />
        {delivery.error && (
          <p className="text-muted-foreground mt-1 max-w-80 text-xs break-words">
            {delivery.error}
          </p>
        )}
      </TableCell>
      <TableCell>
        <DeliveryRun run={delivery.run} />
      </TableCell>
      <TableCell className="text-right">
        <DeliveryActions
          delivery={delivery}
          payloadOpen={payloadOpen}
          onTogglePayload={onTogglePayload}
          replaying={replaying}
          onReplay={onReplay}
        />
      </TableCell>
    </TableRow>
  );
}

/** The run a delivery started, by status and short id, or a dash. */
function DeliveryRun({ run }: { run: Delivery["run"] }) {
  if (!run?.id) return <span className="text-muted-foreground">—</span>;
  return (
    <Link href={`/runs/${run.id}`} className="inline-flex items-center gap-2 hover:underline">
      <RunStatusBadge status={run.status} />
      <span className="font-mono text-xs">{run.id.slice(0, 8)}</span>
    </Link>
  );
}

/** Payload and Replay; where a replay cannot succeed, the reason takes the button's place. */
function DeliveryActions({
  delivery,
  payloadOpen,
  onTogglePayload,
  replaying,
  onReplay,
}: Parameters<typeof DeliveryRow>[0]) {
  const { can } = useTenantRole();
  const { replay } = delivery;
  return (
    <>
      <div className="flex flex-wrap justify-end gap-1">
        {delivery.hasPayload && (
          <Button size="sm" variant="ghost" aria-expanded={payloadOpen} onClick={onTogglePayload}>
            Payload
          </Button>
        )}
        {replay.replayable && can("operator") && (
          <Button size="sm" variant="outline" onClick={onReplay} disabled={replaying}>
            Replay
          </Button>
        )}
      </div>
      {!replay.replayable && can("operator") && (
        <p
          className="text-muted-foreground mt-1 ml-auto max-w-64 text-left text-xs"
          data-testid="replay-blocked"
        >
          {replay.reason}
        </p>
      )}
    </>
  );
}
