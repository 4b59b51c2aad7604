"use client";

import { useQuery } from "@tanstack/react-query";
import { History } from "lucide-react";
import { formatAbsolute, formatRelative } from "@/components/format";
import { LIVE_POLL_MS } from "@/components/polling";
import { useTRPC } from "@/components/providers/trpc";
import { EmptyState } from "@/components/shell/empty-state";
import { QueryView } from "@/components/shell/query-view";
import { Badge } from "@/components/ui/badge";
import { SectionCard } from "@/components/shell/section-card";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { CHANNEL_KIND_LABELS, DELIVERY_STATUS_LABELS } from "./alert-labels";

const STATUS_VARIANT = { pending: "warning", sent: "success", failed: "danger" } as const;

/** Every delivery, newest first: rule, channel, outcome, attempts, error, time. Every member reads it. */
export function HistorySection() {
  const trpc = useTRPC();
  const history = useQuery({
    ...trpc.alerts.history.queryOptions({ limit: 50 }),
    // A delivery is retried in the background: poll while one is still being sent.
    refetchInterval: (query) =>
      query.state.data?.some((row) => row.status === "pending") ? LIVE_POLL_MS : false,
  });
  return (
    <SectionCard
      title="History"
      description="The last 50 alerts sent (or being sent), with their attempts."
    >
      <QueryView
        query={history}
        loading={<Skeleton className="h-32" aria-label="Loading alert history" />}
        errorTitle="The alert history could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState icon={History} title="No alerts sent yet">
            Deliveries and tests appear here.
          </EmptyState>
        }
      >
        {(list) => (
          <ScrollRegion label="Alert history">
            <Table aria-label="Alert history">
              <TableHeader>
                <TableRow>
                  <TableHead>When</TableHead>
                  <TableHead>Rule</TableHead>
                  <TableHead>Channel</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead>Attempts</TableHead>
                  <TableHead>Error</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.map((row) => (
                  <TableRow key={row.id}>
                    <TableCell title={formatAbsolute(new Date(row.createdAt))}>
                      {formatRelative(new Date(row.createdAt))}
                    </TableCell>
                    <TableCell>
                      {row.isTest
                        ? `Test${row.ruleName ? ` · ${row.ruleName}` : ""}`
                        : (row.ruleName ?? "—")}
                    </TableCell>
                    <TableCell>
                      {row.channelName}
                      <span className="text-muted-foreground block text-xs">
                        {CHANNEL_KIND_LABELS[row.channelKind]}
                      </span>
                    </TableCell>
                    <TableCell>
                      <Badge variant={STATUS_VARIANT[row.status]}>
                        {DELIVERY_STATUS_LABELS[row.status]}
                      </Badge>
                    </TableCell>
                    <TableCell>{row.attempts}</TableCell>
                    <TableCell className="max-w-80 break-words whitespace-normal">
                      {row.error ?? ""}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </ScrollRegion>
        )}
      </QueryView>
    </SectionCard>
  );
}
