"use client";

import type { MemberRole } from "@/lib/enums";
import { isMemberRole, roleAtLeast } from "@/lib/roles";
import { useTabTenant } from "./use-tab-tenant";

/**
 * What the signed-in member may do in the tenant this tab shows, for hiding controls. The
 * server checks every call on its own; this only keeps the UI from offering what would be refused.
 */
export function useTenantRole() {
  const { viewer, tenant } = useTabTenant();
  const role = tenant?.role;
  const known = role && isMemberRole(role) ? role : null;
  return {
    role: known,
    isPending: viewer.isPending,
    can: (required: MemberRole) => known !== null && roleAtLeast(known, required),
  };
}
