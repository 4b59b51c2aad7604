import type { Metadata } from "next";
import { BulkByFilterMenu } from "@/components/runs/bulk/bulk-by-filter-menu";
import { BulkOperationsPanel } from "@/components/runs/bulk/bulk-operations-panel";
import { ExportRunsMenu } from "@/components/runs/export-runs-menu";
import { RunsFilterBar } from "@/components/runs/runs-filter-bar";
import { RunsTable } from "@/components/runs/runs-table/runs-table";
import { SavedViewMenu } from "@/components/runs/saved-views/saved-view-menu";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Runs" };

export default function RunsPage() {
  return (
    <>
      <PageHeader
        title="Runs"
        description="Every skill run of this tenant, newest first. The view lives in the URL: share it."
        actions={
          <>
            <SavedViewMenu />
            <ExportRunsMenu />
            <BulkByFilterMenu />
          </>
        }
      />
      {/* No <Suspense> around the page: content in a boundary hydrates after the shell, whose
          queries (agents, skills) may have answered by then, and useQuery renders what the cache
          holds while hydrating: a mismatch with the server's loading state. The console layout
          reads the request headers, so this page is dynamic and nuqs needs no boundary. */}
      <RunsFilterBar />
      <BulkOperationsPanel />
      <RunsTable />
    </>
  );
}
