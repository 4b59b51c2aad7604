"use client";

import { useQuery } from "@tanstack/react-query";
import { TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { formatUsd } from "@/lib/budgets";

/** Tenant-wide: past the budget's soft limit, say so on every page; at the hard limit, that runs are refused. */
export function BudgetBanner() {
  const trpc = useTRPC();
  const status = useQuery(trpc.budgets.status.queryOptions());
  const { can } = useTenantRole();
  const data = status.data;
  if (!data?.budget || !(data.overSoftLimit || data.overHardLimit)) return null;
  const limit = data.overHardLimit ? data.budget.hardLimitUsd : data.budget.softLimitUsd;
  return (
    <Alert
      variant={data.overHardLimit ? "destructive" : "warning"}
      className="mb-6"
      data-testid="budget-banner"
    >
      <TriangleAlert aria-hidden />
      <AlertTitle>
        {data.overHardLimit
          ? "The monthly budget is used up: new runs are refused"
          : "This month's model spend is past the budget's soft limit"}
      </AlertTitle>
      <AlertDescription>
        <p>
          {formatUsd(data.spentUsd)} spent or reserved this month ({data.budget.timezone}) of a{" "}
          {formatUsd(limit ?? 0)} {data.overHardLimit ? "hard" : "soft"} limit.{" "}
          {data.overHardLimit
            ? "Schedules skip their slots until the month turns. "
            : "At the hard limit new runs are refused. "}
          {can("admin") ? (
            <Link className="text-link" href="/settings#budget">
              Change the budget
            </Link>
          ) : (
            "An admin can change the budget."
          )}
        </p>
      </AlertDescription>
    </Alert>
  );
}
