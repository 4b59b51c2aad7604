"use client";

import { useTenantRole } from "@/components/auth/use-tenant-role";
import { PageHeader } from "@/components/shell/page-header";
import { ChannelsSection } from "./channels-section";
import { HistorySection } from "./history-section";
import { RulesSection } from "./rules-section";

/** Alerts: rules and history for every member; channels, and changes, for admins. */
export function AlertsPage() {
  const { can } = useTenantRole();
  const admin = can("admin");
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Be told when runs fail, a schedule misses a slot, or the budget reaches a limit."
      />
      {!admin && (
        <p className="text-muted-foreground mb-4 text-sm">
          You can see this tenant&apos;s alert rules and history; an admin can change them.
        </p>
      )}
      <div className="flex flex-col gap-6">
        <RulesSection admin={admin} />
        {admin && <ChannelsSection />}
        <HistorySection />
      </div>
    </>
  );
}
