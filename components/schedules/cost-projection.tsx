"use client";

import { useMemo } from "react";
import { plural } from "@/components/plural";
import { noEstimateReason, usdRange, useCostEstimate } from "@/components/runs/run-cost-estimate";
import { checkCadence, firesPerMonth } from "@/lib/schedules";

/**
 * What the schedule will cost a month: its fires in the coming month (read in its timezone)
 * times the skill's run estimate for the agent, or plainly why there is no figure.
 */
export function CostProjection({
  skillId,
  agentId,
  cron,
  timezone,
}: {
  skillId: string;
  agentId: string | null;
  cron: string;
  timezone: string;
}) {
  const estimate = useCostEstimate(skillId, agentId);
  const fires = useMemo(
    () => (checkCadence(cron, timezone).ok ? firesPerMonth(cron, timezone, new Date()) : null),
    [cron, timezone],
  );
  const reason = skillId ? noEstimateReason(estimate) : "Choose a skill to see a projection.";
  let text: string;
  if (fires === null) text = "Fix the cadence to see a monthly projection.";
  else if (reason !== null || !estimate.data)
    text = `Fires ${plural(fires, "time")} in the coming month. ${reason ?? ""}`;
  else {
    const { p50Usd, p90Usd, runs } = estimate.data;
    const low = p50Usd ?? 0;
    const high = p90Usd ?? 0;
    text = `Monthly projection ≈ ${usdRange(low * fires, high * fires)}: ${plural(fires, "run")} in the coming month × ${usdRange(low, high)} a run (from the last ${plural(runs, "completed run")}).`;
  }
  return (
    <p
      className="border-border bg-muted/40 rounded-md border p-3 text-sm"
      data-testid="cost-projection"
      aria-live="polite"
    >
      {text}
    </p>
  );
}
