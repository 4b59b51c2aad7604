import type { Metadata } from "next";
import { RequiresRole } from "@/components/auth/requires-role";
import { ApiKeys } from "@/components/settings/api-keys";
import { BudgetSettings } from "@/components/settings/budget-settings";
import { Members } from "@/components/settings/members/members";
import { RetentionSettings } from "@/components/settings/retention-settings";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Settings"
        description="Who can use this tenant, access to it from other systems, and its monthly budget and how long it keeps runs."
      />
      <RequiresRole role="admin" what="Settings">
        <div className="flex flex-col gap-6">
          <Members />
          <ApiKeys />
          <BudgetSettings />
          <RetentionSettings />
        </div>
      </RequiresRole>
    </>
  );
}
