import type { Metadata } from "next";
import Link from "next/link";
import { AuditLog } from "@/components/settings/audit-log";
import { PageHeader } from "@/components/shell/page-header";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditLogPage() {
  return (
    <>
      <PageHeader
        title="Audit log"
        description={
          <>
            Who changed what in this tenant, when and from where, newest first; failed sign-ins of
            its members too. The view lives in the URL.{" "}
            <Link href="/settings" className="text-link">
              Back to settings
            </Link>
          </>
        }
      />
      {/* No <Suspense>: see app/(console)/runs/page.tsx. */}
      <AuditLog />
    </>
  );
}
