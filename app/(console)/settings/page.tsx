import { ScrollText } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { RequiresRole } from "@/components/auth/requires-role";
import { ApiKeys } from "@/components/settings/api-keys";
import { Members } from "@/components/settings/members/members";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader
        title="Settings"
        description="Who can use this tenant, and access to it from other systems."
        actions={
          <Button asChild variant="outline" size="sm">
            <Link href="/settings/audit">
              <ScrollText aria-hidden />
              Audit log
            </Link>
          </Button>
        }
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
