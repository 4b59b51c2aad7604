"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useSearchParams } from "next/navigation";
import type { Route } from "next";
import type { inferRouterOutputs } from "@trpc/server";
import { useTabTenantId } from "@/components/providers/tab-tenant";
import { useTRPC } from "@/components/providers/trpc";
import { canonicalRunsQuery } from "@/lib/run-filters";
import type { AppRouter } from "@/server/trpc/root";

export type SavedView = inferRouterOutputs<AppRouter>["savedViews"]["list"][number];

export const savedViewHref = (query: string) => (query ? `/runs?${query}` : "/runs") as Route;

/**
 * The caller's private views and the tenant's shared ones, and the view the address bar shows
 * (its canonical query equals the view's), if any.
 */
export function useSavedViews() {
  const trpc = useTRPC();
  const tenantId = useTabTenantId();
  const views = useQuery({ ...trpc.savedViews.list.queryOptions(), enabled: Boolean(tenantId) });
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const currentQuery =
    pathname === "/runs" ? canonicalRunsQuery(new URLSearchParams(searchParams.toString())) : null;
  const current =
    currentQuery === null ? undefined : views.data?.find((view) => view.query === currentQuery);
  return { views, current, currentQuery };
}
