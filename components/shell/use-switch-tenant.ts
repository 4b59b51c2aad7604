"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { loadAuthClient } from "@/components/auth/load-auth-client";
import { useTabTenant } from "@/components/auth/use-tab-tenant";
import { setTabTenantId } from "@/components/providers/tab-tenant";
import { useTRPC } from "@/components/providers/trpc";

/** Moves the session, and this tab, to another of the user's tenants (the switcher, the palette). */
export function useSwitchTenant() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const { viewer, tabTenantId } = useTabTenant();
  const [switching, setSwitching] = useState(false);

  async function switchTo(tenantId: string) {
    if (tenantId === tabTenantId) return;
    setSwitching(true);
    const { error } = await (
      await loadAuthClient()
    ).organization.setActive({ organizationId: tenantId });
    setSwitching(false);
    if (error) {
      toast.error(`Could not switch tenant: ${error.message ?? "unknown error"}`);
      return;
    }
    const switchedTo = viewer.data?.tenants.find((candidate) => candidate.id === tenantId) ?? null;
    // The session is now on the new tenant: say so before this tab's requests start naming it.
    queryClient.setQueryData(
      trpc.viewer.get.queryKey(),
      (current) => current && { ...current, activeTenant: switchedTo },
    );
    setTabTenantId(tenantId);
    await queryClient.invalidateQueries();
    router.refresh();
    toast.success(`Switched to ${switchedTo?.name}`);
  }

  return { switching, switchTo };
}
