import {
  DEFAULT_RETRIES,
  DISCOVERY_STEP,
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
