"use client";

import { Building2, ChevronsUpDown } from "lucide-react";
import { useTabTenant } from "@/components/auth/use-tab-tenant";
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
import { useSwitchTenant } from "./use-switch-tenant";

export const roleLabel = (role: string) => role.charAt(0).toUpperCase() + role.slice(1);

export function TenantSwitcher() {
  // The tenant this tab shows, which is not the session's when another tab switched since.
  const { viewer, tenant, activeTenant } = useTabTenant();
  const { switching, switchTo } = useSwitchTenant();

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

  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild disabled={tenants.length < 2 || switching}>
        <Button
          variant="outline"
          className="bg-card h-auto w-full justify-between py-1.5"
          title={`Your role in ${shown.name}: ${shown.role}`}
        >
          <span className="flex min-w-0 items-center gap-2">
            <Building2 aria-hidden />
            <span className="flex min-w-0 flex-col items-start leading-tight">
              {/* Named "Tenant: <name> <role>" by its visible words, which axe requires. */}
              <span className="max-w-full truncate">
                <span className="sr-only">Tenant: </span>
                {shown.name}
              </span>
              <span className="text-muted-foreground text-xs font-normal">
                {roleLabel(shown.role)}
              </span>
            </span>
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
              <span className="text-muted-foreground text-xs">{roleLabel(candidate.role)}</span>
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
