import type { Metadata } from "next";
import { RequiresRole } from "@/components/auth/requires-role";
import { ApiKeys } from "@/components/settings/api-keys";
import { Members } from "@/components/settings/members/members";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Settings"
        description="Who can use this tenant, and access to it from other systems."
      />
      <RequiresRole role="admin" what="Settings">
        <div className="flex flex-col gap-6">
          <Members />
          <ApiKeys />
        </div>
      </RequiresRole>
    </>
  );
}
