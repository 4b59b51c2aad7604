"use client";

import { useQueryClient } from "@tanstack/react-query";
import { Building2, ChevronsUpDown } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { loadAuthClient } from "@/components/auth/load-auth-client";
import { useTabTenant } from "@/components/auth/use-tab-tenant";
import { setTabTenantId } from "@/components/providers/tab-tenant";
import { useTRPC } from "@/components/providers/trpc";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Skeleton } from "@/components/ui/skeleton";

export function TenantSwitcher() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  // The tenant this tab shows, which is not the session's when another tab switched since.
  const { viewer, tabTenantId, tenant, activeTenant } = useTabTenant();
  const [switching, setSwitching] = useState(false);

  if (viewer.isPending) return <Skeleton className="h-9 w-full" />;
  if (viewer.isError)
    return <p className="text-destructive px-2 text-xs">Could not load your tenants.</p>;

  const { tenants } = viewer.data;
  const shown = tenant ?? activeTenant;
  if (!shown) {
    return (
      <p className="text-muted-foreground px-2 text-xs">You are not a member of any tenant yet.</p>
    );
  }

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
    const switchedTo = tenants.find((candidate) => candidate.id === tenantId) ?? null;
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

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild disabled={tenants.length < 2 || switching}>
        <Button
          variant="outline"
          className="bg-card w-full justify-between"
          aria-label={`Tenant: ${shown.name}`}
        >
          <span className="flex min-w-0 items-center gap-2">
            <Building2 aria-hidden />
            <span className="truncate">{shown.name}</span>
          </span>
          {tenants.length > 1 && <ChevronsUpDown className="opacity-60" aria-hidden />}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>Switch tenant</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={shown.id} onValueChange={(value) => void switchTo(value)}>
          {tenants.map((candidate) => (
            <DropdownMenuRadioItem key={candidate.id} value={candidate.id}>
              <span className="flex-1 truncate">{candidate.name}</span>
              <span className="text-muted-foreground text-xs">{candidate.role}</span>
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
