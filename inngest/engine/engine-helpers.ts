import type { RunState } from "./engine-types";
import {
  DEFAULT_RETRIES,
  DISCOVERY_STEP,
  EVENTS,
  type FunctionConfig,
  type InngestEvent,
} from "./protocol";

export const INTERRUPTED_ERROR = {
  name: "Error",
  message: "The engine stopped while this step was running, and no attempts remain.",
};

export const INVOKE_TIMEOUT_ERROR = {
  error: {
    name: "InngestInvokeTimeoutError",
    message: "Timed out waiting for invoked function to complete",
  },
};

export function maxAttemptsOf(config: FunctionConfig): number {
  const retries = config.steps[DISCOVERY_STEP]?.retries?.attempts;
  return (typeof retries === "number" ? Math.min(Math.max(retries, 0), 20) : DEFAULT_RETRIES) + 1;
}

export function toEventMap(event: InngestEvent) {
  return {
    name: event.name,
    data: event.data,
    user: event.user,
    id: event.id,
    ts: event.ts,
    ...(event.v ? { v: event.v } : {}),
  };
}

export function serializeError(error: unknown) {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}

/** `function.finished`, and `function.failed` or `function.cancelled`, for a run that ended. */
export function lifecycleEvents(
  run: RunState,
  status: "Completed" | "Failed" | "Cancelled",
  output: unknown,
): unknown[] {
  const [trigger] = run.events;
  const triggeredByLifecycle =
    trigger?.name === EVENTS.functionFinished || trigger?.name === EVENTS.functionFailed;
  if (!trigger || triggeredByLifecycle) return [];
  const correlationId = (trigger.data._inngest as { correlation_id?: string } | undefined)
    ?.correlation_id;
  const data = {
    function_id: run.functionSlug,
    run_id: run.id,
    event: toEventMap(trigger),
    events: run.events.map(toEventMap),
    ...(status === "Completed" ? { result: output ?? null } : {}),
    ...(status === "Failed" ? { error: output } : {}),
    ...(correlationId ? { correlation_id: correlationId } : {}),
    _inngest: { status },
  };
  const lifecycle: unknown[] = [{ name: EVENTS.functionFinished, data }];
  if (status === "Failed") lifecycle.push({ name: EVENTS.functionFailed, id: run.id, data });
  if (status === "Cancelled") lifecycle.push({ name: EVENTS.functionCancelled, id: run.id, data });
  return lifecycle;
}
