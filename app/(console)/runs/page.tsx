import type { Metadata } from "next";
import { Suspense } from "react";
import { RunsFilterBar } from "@/components/runs/runs-filter-bar";
import { RunsTable } from "@/components/runs/runs-table/runs-table";
import { PageHeader } from "@/components/shell/page-header";
import { Skeleton } from "@/components/ui/skeleton";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every skill run of this tenant, newest first. The view lives in the URL: share it."
      />
      <Suspense fallback={<Skeleton className="h-96" />}>
        <RunsFilterBar />
        <RunsTable />
      </Suspense>
    </>
  );
}
