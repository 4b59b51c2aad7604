"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Building2, ChevronsUpDown } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { loadAuthClient } from "@/components/auth/load-auth-client";
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
  const viewer = useQuery(trpc.viewer.get.queryOptions());
  const [switching, setSwitching] = useState(false);

  if (viewer.isPending) return <Skeleton className="h-9 w-full" />;
  if (viewer.isError) return <p className="px-2 text-xs text-destructive">Could not load your tenants.</p>;

  const { activeTenant, tenants } = viewer.data;
  if (!activeTenant) {
    return <p className="px-2 text-xs text-muted-foreground">You are not a member of any tenant yet.</p>;
  }

  async function switchTo(tenantId: string) {
    if (tenantId === activeTenant?.id) return;
    setSwitching(true);
    const { error } = await (await loadAuthClient()).organization.setActive({ organizationId: tenantId });
    setSwitching(false);
    if (error) {
      toast.error(`Could not switch tenant: ${error.message ?? "unknown error"}`);
      return;
    }
    const name = tenants.find((tenant) => tenant.id === tenantId)?.name;
    await queryClient.invalidateQueries();
    router.refresh();
    toast.success(`Switched to ${name}`);
  }

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild disabled={tenants.length < 2 || switching}>
        <Button variant="outline" className="w-full justify-between bg-card" aria-label={`Tenant: ${activeTenant.name}`}>
          <span className="flex min-w-0 items-center gap-2">
            <Building2 aria-hidden />
            <span className="truncate">{activeTenant.name}</span>
          </span>
          {tenants.length > 1 && <ChevronsUpDown className="opacity-60" aria-hidden />}
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start">
        <DropdownMenuLabel>Switch tenant</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={activeTenant.id} onValueChange={(value) => void switchTo(value)}>
          {tenants.map((tenant) => (
            <DropdownMenuRadioItem key={tenant.id} value={tenant.id}>
              <span className="flex-1 truncate">{tenant.name}</span>
              <span className="text-xs text-muted-foreground">{tenant.role}</span>
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
