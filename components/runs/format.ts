/** How long a run took, or has been going; null before it started. */
export function runDuration(
  run: { startedAt: Date | null; finishedAt: Date | null },
  now = Date.now(),
): number | null {
  if (!run.startedAt) return null;
  return (run.finishedAt?.getTime() ?? now) - run.startedAt.getTime();
}

export function formatTokens(input: number | null, output: number | null): string {
  if (input === null && output === null) return "—";
  return new Intl.NumberFormat("en").format((input ?? 0) + (output ?? 0));
}

export function formatCost(costUsd: string | null): string {
  if (costUsd === null) return "—";
  const value = Number(costUsd);
  return value === 0 ? "$0" : value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}
