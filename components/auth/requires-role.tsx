"use client";

import { ShieldAlert } from "lucide-react";
import type { ReactNode } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Skeleton } from "@/components/ui/skeleton";
import type { MemberRole } from "@/lib/enums";
import { useTenantRole } from "./use-tenant-role";

/**
 * Shows `children` only to members with at least `role`; everyone else gets a notice saying
 * which role the page needs. The server refuses the calls anyway: this keeps the UI honest.
 */
export function RequiresRole({
  role,
  what,
  children,
}: {
  role: MemberRole;
  what: string;
  children: ReactNode;
}) {
  const { role: yours, isPending, can } = useTenantRole();
  if (isPending) return <Skeleton className="h-32" aria-label="Loading" />;
  if (can(role)) return children;
  return (
    <Alert role="status" data-testid="needs-role">
      <ShieldAlert aria-hidden className="size-4" />
      <AlertTitle>
        {what} needs the {role} role
      </AlertTitle>
      <AlertDescription>
        {yours ? `You are ${yours === "viewer" ? "a" : "an"} ${yours} in this tenant. ` : ""}Ask an
        admin of this tenant if you need access.
      </AlertDescription>
    </Alert>
  );
}
