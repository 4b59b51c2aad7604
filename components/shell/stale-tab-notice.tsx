"use client";

import { useQueryClient } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { RotateCw } from "lucide-react";
import { useEffect } from "react";
import { useTabTenant } from "@/components/auth/use-tab-tenant";
import { useTRPC } from "@/components/providers/trpc";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

const refusedAsStale = (error: unknown) =>
  error instanceof TRPCClientError &&
  (error.data as { code?: unknown } | undefined)?.code === "PRECONDITION_FAILED";

/**
 * Says so when the tenant was switched in another tab: this tab still shows the old one and the
 * server refuses its requests, so the way on is a reload. Noticed when the tab gets focus again
 * or when one of its requests is refused.
 */
export function StaleTabNotice() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { tenant, activeTenant, switchedElsewhere } = useTabTenant({ recheckOnFocus: true });

  useEffect(() => {
    const recheck = (error: unknown) => {
      if (refusedAsStale(error))
        void queryClient.invalidateQueries({ queryKey: trpc.viewer.get.queryKey() });
    };
    const stopQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") recheck(event.action.error);
    });
    const stopMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === "updated" && event.action.type === "error") recheck(event.action.error);
    });
    return () => {
      stopQueries();
      stopMutations();
    };
  }, [queryClient, trpc]);

  if (!switchedElsewhere) return null;
  const shown = tenant?.name ?? "a tenant you no longer belong to";
  return (
    <Alert
      variant="warning"
      className="mb-6 flex items-center justify-between gap-4"
      data-testid="stale-tab-notice"
    >
      <div>
        <AlertTitle>This tab is out of date</AlertTitle>
        <AlertDescription>
          {activeTenant
            ? `This tab shows ${shown}; you switched to ${activeTenant.name} in another tab. Reload to continue in ${activeTenant.name}.`
            : `This tab shows ${shown}, which is no longer your active tenant. Reload the page.`}
        </AlertDescription>
      </div>
      <Button variant="outline" size="sm" onClick={() => window.location.reload()}>
        <RotateCw aria-hidden />
        Reload
      </Button>
    </Alert>
  );
}
