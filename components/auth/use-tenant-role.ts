"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import type { MemberRole } from "@/lib/enums";
import { isMemberRole, roleAtLeast } from "@/lib/roles";

/**
 * What the signed-in member may do in the active tenant, for hiding controls. The server
 * checks every call on its own; this only keeps the UI from offering what would be refused.
 */
export function useTenantRole() {
  const trpc = useTRPC();
  const viewer = useQuery(trpc.viewer.get.queryOptions());
  const role = viewer.data?.activeTenant?.role;
  const known = role && isMemberRole(role) ? role : null;
  return { role: known, isPending: viewer.isPending, can: (required: MemberRole) => known !== null && roleAtLeast(known, required) };
}
