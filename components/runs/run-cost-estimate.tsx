"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { plural } from "@/components/plural";
import { formatUsd } from "@/lib/budgets";

/** A p50–p90 range in dollars, one figure when the two agree. */
export const usdRange = (low: number, high: number) =>
  formatUsd(low) === formatUsd(high) ? formatUsd(low) : `${formatUsd(low)}–${formatUsd(high)}`;

/**
 * What a run of the skill by the agent (none: the tenant's default) will likely cost, from the
 * skill's latest complete runs: "≈ $0.004–$0.009 based on the last 12 runs", or plainly why
 * there is no figure.
 */
export function useCostEstimate(skillId: string, agentId: string | null) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.budgets.estimate.queryOptions({ skillId, agentId }),
    enabled: Boolean(skillId),
  });
}

export function RunCostEstimate({ skillId, agentId }: { skillId: string; agentId: string | null }) {
  const estimate = useCostEstimate(skillId, agentId);
  return (
    <p className="text-muted-foreground text-sm" data-testid="cost-estimate" aria-live="polite">
      {estimateText(estimate)}
    </p>
  );
}

/** Why there is no figure, in words; null when there is one. */
export function noEstimateReason(estimate: ReturnType<typeof useCostEstimate>): string | null {
  if (estimate.isError) return `No cost estimate: ${estimate.error.message}`;
  if (!estimate.data) return "Estimating the cost…";
  const { model, priced, p50Usd, p90Usd } = estimate.data;
  if (!model) return "No cost estimate: no agent runs this skill.";
  if (!priced) return `No cost estimate: ${model} has no price in this deployment's price table.`;
  if (p50Usd === null || p90Usd === null)
    return "No cost estimate yet: this skill has no completed runs to go by.";
  return null;
}

export function estimateText(estimate: ReturnType<typeof useCostEstimate>): string {
  const reason = noEstimateReason(estimate);
  if (reason !== null || !estimate.data) return reason ?? "";
  const { model, runs, p50Usd, p90Usd } = estimate.data;
  return `Estimated cost ≈ ${usdRange(p50Usd ?? 0, p90Usd ?? 0)} a run, based on the last ${plural(runs, "completed run")} at ${model ?? ""} prices.`;
}
