import type { Metadata } from "next";
import { DashboardView } from "@/components/dashboard/dashboard-view";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Dashboard" };

export default function DashboardPage() {
  return (
    <>
      <PageHeader
        title="Dashboard"
        description="How this tenant's runs went: counts, failures, timings, spend and schedules. The view lives in the URL."
      />
      <DashboardView />
    </>
  );
}
