import { compileExpression } from "./expressions";
import type { FunctionConfig, InngestEvent } from "./protocol";

/**
 * `priority.run`'s bounds in seconds: Inngest's documented default range. (The open-source Go
 * server's constants allow ±12 h; its Cloud accounts default to ±600 s, which is what the SDK
 * documents.)
 */
export const PRIORITY_FACTOR_MAX_SECONDS = 600;

/** The function's `priority.run` expression, or null when it sets none. */
export function priorityExpressionOf(config: FunctionConfig): string | null {
  const priority = config.priority;
  if (!priority || typeof priority !== "object") return null;
  const run = (priority as { run?: unknown }).run;
  return typeof run === "string" && run.trim() !== "" ? run : null;
}

export type PriorityProblem = { expression: string; problem: string };

/**
 * A run's priority factor in seconds, as the Go server's `RunPriorityFactor`: the expression
 * evaluated against the triggering event, an integer clamped to the range; an expression that
 * errors or yields anything but an integer gives 0 (and `onProblem` is told, so it is logged).
 */
export function priorityFactorSeconds(
  config: FunctionConfig,
  event: InngestEvent | undefined,
  onProblem: (problem: PriorityProblem) => void,
): number {
  const expression = priorityExpressionOf(config);
  if (!expression || !event) return 0;
  let value: unknown;
  try {
    value = compileExpression(expression)({ event });
  } catch (error) {
    onProblem({ expression, problem: error instanceof Error ? error.message : String(error) });
    return 0;
  }
  if (typeof value !== "number" || !Number.isInteger(value)) {
    onProblem({ expression, problem: `returned ${JSON.stringify(value)}, not an integer` });
    return 0;
  }
  return Math.min(Math.max(value, -PRIORITY_FACTOR_MAX_SECONDS), PRIORITY_FACTOR_MAX_SECONDS);
}

/**
 * Where a run not yet under way stands in a queue: its enqueue time moved earlier by its
 * factor, as the Go server scores a run's queue items (`startAt - factor`). Lower goes first.
 */
export function priorityScore(enqueuedAtMs: number, factorSeconds: number): number {
  return enqueuedAtMs - factorSeconds * 1000;
}
