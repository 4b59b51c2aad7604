"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { LayoutDashboard } from "lucide-react";
import Link from "next/link";
import { useTRPC } from "@/components/providers/trpc";
import { EmptyState } from "@/components/shell/empty-state";
import { QueryView } from "@/components/shell/query-view";
import { Skeleton } from "@/components/ui/skeleton";
import {
  DashboardFilterBar,
  overviewInputOf,
  useDashboardFilters,
  WINDOW_LABELS,
} from "./dashboard-filters";
import type { DashboardData } from "./dashboard-types";
import { FailureCodes } from "./failure-codes";
import { RunsOverTime } from "./runs-over-time";
import { ScheduleHealth } from "./schedule-health";
import { SummaryCards } from "./summary-cards";
import { UsagePanel } from "./usage-panel";

function DashboardSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the dashboard">
      <div className="mb-6 grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
        {[0, 1, 2, 3].map((index) => (
          <Skeleton key={index} className="h-28" />
        ))}
      </div>
      <Skeleton className="mb-6 h-80" />
      <div className="grid gap-6 xl:grid-cols-2">
        <Skeleton className="h-64" />
        <Skeleton className="h-64" />
      </div>
    </div>
  );
}

function NeverRan() {
  return (
    <EmptyState icon={LayoutDashboard} title="No runs yet">
      The dashboard fills in as skills run. Pick a skill in the{" "}
      <Link href="/skills" className="text-link">
        catalog
      </Link>{" "}
      and choose Run now, or give one a schedule.
    </EmptyState>
  );
}

/** The console's home: how the tenant's runs went over the last day, week or month. */
export function DashboardView() {
  const trpc = useTRPC();
  const [filters] = useDashboardFilters();
  const overview = useQuery({
    ...trpc.dashboard.overview.queryOptions(overviewInputOf(filters)),
    // Switching the window keeps the figures on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <DashboardFilterBar />
      <QueryView
        query={overview}
        loading={<DashboardSkeleton />}
        errorTitle="The dashboard could not be loaded"
        isEmpty={(data: DashboardData) => !data.hasRuns}
        empty={<NeverRan />}
      >
        {(data) => (
          <div aria-busy={overview.isPlaceholderData}>
            <p className="sr-only" aria-live="polite">
              Showing the last {WINDOW_LABELS[data.window]}.
            </p>
            <SummaryCards data={data} filters={filters} />
            <div className="mb-6">
              <RunsOverTime data={data} filters={filters} />
            </div>
            <div className="grid gap-6 xl:grid-cols-2">
              <UsagePanel data={data} filters={filters} />
              <FailureCodes data={data} filters={filters} />
              <ScheduleHealth data={data} />
            </div>
          </div>
        )}
      </QueryView>
    </>
  );
}
