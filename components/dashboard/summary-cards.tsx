import Link from "next/link";
import type { ReactNode } from "react";
import { Card } from "@/components/ui/card";
import type { DashboardData } from "./dashboard-types";
import { historyHref, type DashboardFilters } from "./dashboard-filters";
import { formatCount, formatRate, formatSeconds } from "./dashboard-format";

function Figure({ label, children, hint }: { label: string; children: ReactNode; hint: string }) {
  return (
    <Card className="p-5">
      <dt className="text-muted-foreground text-sm">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{children}</dd>
      <dd className="text-muted-foreground mt-1 text-xs">{hint}</dd>
    </Card>
  );
}

/** The window at a glance: how many runs, how many failed, how long they waited and worked. */
export function SummaryCards({
  data,
  filters,
}: {
  data: DashboardData;
  filters: DashboardFilters;
}) {
  const { totals, latency } = data;
  return (
    <dl className="mb-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-4" aria-label="Summary">
      <Figure label="Runs" hint={`${formatCount(totals.finished)} finished`}>
        <Link href={historyHref(filters)} className="text-link" data-testid="total-runs">
          {formatCount(totals.runs)}
        </Link>
      </Figure>
      <Figure
        label="Failure rate"
        hint={`${formatCount(totals.byStatus.failed)} failed of ${formatCount(totals.finished)} finished`}
      >
        <Link href={historyHref(filters, { status: ["failed"] })} className="text-link">
          {formatRate(totals.failureRate)}
        </Link>
      </Figure>
      <Figure label="Queued → started" hint="p50 · p95, every run that started">
        {formatSeconds(latency.queuedToStart.p50)} · {formatSeconds(latency.queuedToStart.p95)}
      </Figure>
      <Figure label="Started → complete" hint="p50 · p95, complete runs">
        {formatSeconds(latency.startToComplete.p50)} · {formatSeconds(latency.startToComplete.p95)}
      </Figure>
    </dl>
  );
}
