/** Wire shapes of the Inngest SDK protocol (see the team's inngest-protocol.md). */

export type InngestEvent = {
  name: string;
  data: Record<string, unknown>;
  id: string;
  ts: number;
  user: Record<string, unknown>;
  v?: string;
  meta?: unknown;
};

export type Trigger = { event?: string; expression?: string; cron?: string };

export type ConcurrencyConfig =
  number | { limit: number; key?: string; scope?: "fn" | "env" | "account" };

export type FunctionConfig = {
  id: string;
  name?: string;
  triggers: Trigger[];
  steps: Record<
    string,
    { id: string; runtime: { type: string; url: string }; retries?: { attempts: number } }
  >;
  idempotency?: string;
  concurrency?: ConcurrencyConfig | ConcurrencyConfig[];
  cancel?: { event: string; if?: string; timeout?: string }[];
  [flowControl: string]: unknown;
};

export type Op = {
  id: string;
  op: string;
  name?: string;
  displayName?: string;
  opts?: Record<string, unknown> | null;
  data?: unknown;
  error?: unknown;
};

/** Memoized step values: `{data}`, `{error}`, `null` (sleep, timeout) or a raw event. */
export type StepState = Record<string, unknown>;

export const INTERNAL_EVENT_PREFIX = "inngest/";
export const EVENTS = {
  scheduledTimer: "inngest/scheduled.timer",
  functionFinished: "inngest/function.finished",
  functionFailed: "inngest/function.failed",
  functionCancelled: "inngest/function.cancelled",
  functionInvoked: "inngest/function.invoked",
} as const;

/** The id the SDK gives its terminal op (`sha1("complete")`). */
export const COMPLETE_OP_ID = "0737c22d3bfae812339732d14d8c7dbd6dc4e09c";
/** `step.defer()`'s ops: recorded on the run (defer.ts), never a step to execute. */
export const LAZY_OPS = new Set(["DeferAdd", "DeferAbort"]);
export const DEFAULT_RETRIES = 4;
export const DISCOVERY_STEP = "step";

export type SdkResponse = { status: number; headers: Headers; body: string; fromSdk: boolean };

/**
 * Reads an SDK response, unwrapping the 201 streaming envelope (heartbeat spaces, then one
 * JSON object carrying the real status, headers and body).
 */
export async function readSdkResponse(response: Response): Promise<SdkResponse> {
  const text = await response.text();
  const fromSdk = response.headers.has("x-inngest-sdk");
  if (response.status !== 201)
    return { status: response.status, headers: response.headers, body: text, fromSdk };
  const envelope = JSON.parse(text.trimStart()) as {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  };
  const headers = new Headers(response.headers);
  for (const [key, value] of Object.entries(envelope.headers ?? {})) headers.set(key, value);
  return { status: envelope.status, headers, body: envelope.body ?? "", fromSdk };
}

export function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Retry-After as seconds or a date, capped at 24 h. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) return null;
  return Math.min(Math.max(ms, 0), 86_400_000);
}

/** The Go server's backoff table (15 s … 2 h) with 0–30 s jitter. */
const BACKOFF_SECONDS = [15, 30, 60, 120, 300, 600, 1200, 2400, 3600, 7200];
export function defaultBackoffMs(attempt: number): number {
  const base = BACKOFF_SECONDS[Math.min(attempt, BACKOFF_SECONDS.length - 1)] ?? 7200;
  return base * 1000 + Math.floor(Math.random() * 30_000);
}

/** A trigger name pattern: exact, or `prefix/*` / `prefix.*`. */
export function nameMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  return pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));
}
