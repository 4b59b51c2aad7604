/**
 * Flow-control settings that are present but parse to nothing. Each `*ConfigOf` reader treats a
 * malformed value as "not set" (as the Go server does); this names those values, so sync can
 * warn instead of the function silently running unthrottled, unbounded or as no singleton.
 */
import { parseDurationMs } from "./durations";
import { priorityExpressionOf } from "./flow-priority";
import { singletonConfigOf } from "./flow-singleton";
import { throttleConfigOf } from "./flow-throttle";
import type { EngineLogLine } from "./engine-types";
import type { FunctionConfig } from "./protocol";

export type InvalidFlowControl = { key: string; reason: string };

const isPresent = (value: unknown) => value !== undefined && value !== null;

function throttleProblem(raw: unknown): string {
  if (typeof raw !== "object") return "is not an object";
  const { limit, period } = raw as { limit?: unknown; period?: unknown };
  if (typeof limit !== "number" || limit < 1) return `limit ${JSON.stringify(limit)} is not ≥ 1`;
  return `period ${JSON.stringify(period)} is not a positive duration`;
}

/** `timeouts.start` / `.finish` that are set but not durations ("" and "0s" mean no limit). */
function timeoutProblems(raw: unknown): string[] {
  if (typeof raw !== "object" || raw === null) return ["is not an object"];
  return Object.entries(raw as Record<string, unknown>).flatMap(([name, value]) =>
    (name === "start" || name === "finish") &&
    isPresent(value) &&
    (typeof value !== "string" || parseDurationMs(value) === null)
      ? [`${name} ${JSON.stringify(value)} is not a duration`]
      : [],
  );
}

export function invalidFlowControl(config: FunctionConfig): InvalidFlowControl[] {
  const problems: InvalidFlowControl[] = [];
  if (isPresent(config.throttle) && !throttleConfigOf(config))
    problems.push({ key: "throttle", reason: throttleProblem(config.throttle) });
  if (isPresent(config.singleton) && !singletonConfigOf(config)) {
    const mode = (config.singleton as { mode?: unknown } | undefined)?.mode;
    problems.push({
      key: "singleton",
      reason: `mode ${JSON.stringify(mode)} is not "skip" or "cancel"`,
    });
  }
  if (isPresent(config.timeouts))
    for (const reason of timeoutProblems(config.timeouts))
      problems.push({ key: "timeouts", reason });
  if (isPresent(config.priority) && !priorityExpressionOf(config))
    problems.push({ key: "priority", reason: "run is not a non-empty expression" });
  return problems;
}

/**
 * The warnings a sync logs per function: flow control the engine does not implement (ignored,
 * never half-applied) and settings that parse to nothing.
 */
export function flowControlWarnings(configs: FunctionConfig[]): EngineLogLine[] {
  const lines: EngineLogLine[] = [];
  for (const config of configs) {
    const unsupported = Object.keys(config).filter((key) =>
      ["rateLimit", "debounce", "batchEvents"].includes(key),
    );
    if (unsupported.length) {
      lines.push({
        level: "warn",
        msg: "function.unsupported_flow_control",
        function: config.id,
        ignored: unsupported,
      });
    }
    for (const { key, reason } of invalidFlowControl(config))
      lines.push({
        level: "warn",
        msg: "function.invalid_flow_control",
        function: config.id,
        key,
        reason,
      });
  }
  return lines;
}
