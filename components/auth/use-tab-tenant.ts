"use client";

import { useQuery } from "@tanstack/react-query";
import { useTabTenantId } from "@/components/providers/tab-tenant";
import { useTRPC } from "@/components/providers/trpc";

/**
 * The tenant this tab shows (with the caller's role in it) and the session's active tenant.
 * They differ when the tenant was switched in another tab: this tab's requests are then refused
 * until it reloads.
 */
export function useTabTenant(options: { recheckOnFocus?: boolean } = {}) {
  const trpc = useTRPC();
  const viewer = useQuery({
    ...trpc.viewer.get.queryOptions(),
    ...(options.recheckOnFocus ? { refetchOnWindowFocus: "always" as const } : {}),
  });
  const tabTenantId = useTabTenantId();
  const tenant = viewer.data?.tenants.find((candidate) => candidate.id === tabTenantId) ?? null;
  const activeTenant = viewer.data?.activeTenant ?? null;
  return {
    viewer,
    tabTenantId,
    tenant,
    activeTenant,
    switchedElsewhere: viewer.isSuccess && tabTenantId !== null && activeTenant?.id !== tabTenantId,
  };
}
