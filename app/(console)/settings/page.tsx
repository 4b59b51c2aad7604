import type { Metadata } from "next";
import { ApiKeys } from "@/components/settings/api-keys";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Access to this tenant from other systems. Members, roles and the audit log arrive with their own issue." />
      <ApiKeys />
    </>
  );
}
