/**
 * Conformance-test harness for the embedded Inngest engine.
 *
 * The app side is the real SDK (`inngest@4.24.x`): functions are served by `serve()` from
 * `inngest/node` on a local HTTP server, in dev mode, pointed at the engine (or, given `keys`,
 * in cloud mode against the engine running signed, as `inngest start`). Every test file
 * gets its own PostgreSQL database (test/setup-database.ts) and, through `setupEngine()`, one
 * engine for the whole file. Tests keep to themselves by using their own app id and event
 * names (see `uniqueName`).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest, type InngestFunction, type Logger } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { parseSigningKey } from "@/inngest/engine/signing";

export type SyncMode = "in_band" | "out_of_band";
export type RunStatus = "Running" | "Completed" | "Failed" | "Cancelled";

/** The run object of `GET /v1/runs/:id` and `GET /v1/events/:id/runs` (fields the tests read). */
export type RunView = {
  run_id: string;
  status: RunStatus | (string & {});
  output?: unknown;
  ended_at: string | null;
  event_id: string;
  function_slug?: string;
  run_started_at?: string;
};

/** The event object of `GET /v1/events/:id`. */
export type EventView = {
  internal_id?: string;
  id?: string;
  name: string;
  data: Record<string, unknown>;
  user?: unknown;
  ts?: number;
};

type V1<T> = { data: T; metadata: Record<string, unknown> };

export type SendResponse = { httpStatus: number; body: unknown };

export type EventInput = {
  name: string;
  data?: Record<string, unknown>;
  id?: string;
  ts?: number;
  user?: Record<string, unknown>;
};

// ── small utilities ────────────────────────────────────────────────────────────────────────

export function uid(): string {
  return randomBytes(4).toString("hex");
}

/** A name unique to one test, e.g. `uniqueName("steps")` → `steps-1a2b3c4d`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${uid()}`;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length > 800 ? `${text.slice(0, 800)}…` : text;
  } catch {
    return String(value);
  }
}

/** Thrown from a `waitFor` probe to fail at once instead of polling on (e.g. a run ended wrongly). */
export class WaitAborted extends Error {}

/**
 * Polls `probe` until it returns something other than `undefined`, `null` or `false`, and
 * returns that value. Fails after `timeoutMs` with `message` and the last value observed (or
 * the last error the probe threw).
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; intervalMs?: number; message: string | (() => string) },
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = undefined;
  let lastError: unknown = undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
      lastError = undefined;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const message = typeof options.message === "function" ? options.message() : options.message;
      const observed =
        lastError !== undefined
          ? `last error: ${String(lastError)}`
          : `last value: ${describe(last)}`;
      throw new Error(`waitFor timed out after ${timeoutMs} ms: ${message} (${observed})`);
    }
    await delay(intervalMs);
  }
}

/** A promise that can be resolved from outside, e.g. to release a step that blocks. */
export type Gate = { promise: Promise<void>; release: () => void; released: () => boolean };

export function gate(): Gate {
  let release = () => {};
  let done = false;
  const promise = new Promise<void>((resolve) => {
    release = () => {
      done = true;
      resolve();
    };
  });
  return { promise, release, released: () => done };
}

/** Resolves like `promise`, or fails after `timeoutMs` with `message`. */
export async function within<T>(
  promise: Promise<T>,
  timeoutMs: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms: ${message}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether two [start, end) intervals overlap. */
export function overlaps(
  a: { start: number; end: number },
  b: { start: number; end: number },
): boolean {
  return a.start < b.end && b.start < a.end;
}

const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

// ── app servers ────────────────────────────────────────────────────────────────────────────

export type AppServer = {
  /** The serve URL, `http://127.0.0.1:<port>/api/inngest`. */
  url: string;
  /** Number of requests the engine (or anyone) sent to this server, by method. */
  requests: { GET: number; PUT: number; POST: number };
  /** The `traceparent` header of each POST (an execution request), in arrival order. */
  traceparents: (string | undefined)[];
  close: () => Promise<void>;
};

/** Serves `functions` of `client` with the real node adapter on a random local port. */
export async function startAppServer(
  client: Inngest.Any,
  functions: InngestFunction.Any[],
): Promise<AppServer> {
  const handler = serve({ client, functions });
  const requests = { GET: 0, PUT: 0, POST: 0 };
  const traceparents: (string | undefined)[] = [];
  const server = http.createServer((request, response) => {
    const method = request.method as keyof typeof requests;
    if (method in requests) requests[method]++;
    if (method === "POST") traceparents.push(request.headers.traceparent?.toString());
    void handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}/api/inngest`,
    requests,
    traceparents,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

// ── the engine under test ──────────────────────────────────────────────────────────────────

type EngineStartOptions = Parameters<typeof startEngine>[0];

export type SignedModeKeys = { signingKey: string; signingKeyFallback?: string; eventKey: string };

/**
 * The suite runs in both execution modes: checkpointing (the default, as real servers run the
 * SDK), and one step per request for the files under `legacy/`, which set
 * `ENGINE_CHECKPOINTING=0` before importing a suite (each test file runs in its own process);
 * `legacy/README.md` says which suites run in both modes and why.
 */
export function checkpointing(): boolean {
  return process.env.ENGINE_CHECKPOINTING !== "0";
}

export type HarnessOptions = Pick<
  EngineStartOptions,
  | "retryIntervalSeconds"
  | "pollIntervalSeconds"
  | "historyRetentionHours"
  | "pruneIntervalSeconds"
  | "interruptedRequestGraceSeconds"
  | "faults"
  | "outputLimits"
> & {
  /** Run the engine signed; clients get the signing and event keys, API calls the hashed key. */
  keys?: SignedModeKeys;
};

export class EngineHarness {
  private current: Engine | undefined;
  private port = 0;
  private readonly apps: AppServer[] = [];
  /** Engine log lines, kept for debugging (CONFORMANCE_ENGINE_LOG=1 also prints them). */
  readonly logs: Record<string, unknown>[] = [];

  constructor(private readonly options: HarnessOptions = {}) {}

  get engine(): Engine {
    if (!this.current) throw new Error("the engine is not running (crashed or not started)");
    return this.current;
  }

  get url(): string {
    return this.engine.url;
  }

  /**
   * Starts the engine; after the first start it reuses the same port so SDK clients keep
   * working. `faults` injects failures at named points (see EngineFaults) for this start only;
   * `maxConcurrentRequests` caps the engine's SDK requests in flight for this start only.
   */
  async start(
    extra: Pick<EngineStartOptions, "faults" | "maxConcurrentRequests"> = {},
  ): Promise<Engine> {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl)
      throw new Error("DATABASE_URL is not set: is test/setup-database.ts in setupFiles?");
    const options: EngineStartOptions = {
      port: this.port,
      databaseUrl,
      appUrls: [],
      retryIntervalSeconds: this.options.retryIntervalSeconds ?? 0.05,
      pollIntervalSeconds: this.options.pollIntervalSeconds ?? 0.2,
      historyRetentionHours: this.options.historyRetentionHours,
      pruneIntervalSeconds: this.options.pruneIntervalSeconds,
      checkpointing: checkpointing(),
      interruptedRequestGraceSeconds: this.options.interruptedRequestGraceSeconds ?? 1,
      faults: this.options.faults,
      outputLimits: this.options.outputLimits,
      ...this.options.keys,
      ...extra,
      log: (line) => {
        // CONFORMANCE_ENGINE_LOG=1 prints the engine's log lines while debugging a failure.
        if (process.env.CONFORMANCE_ENGINE_LOG)
          process.stderr.write(`[engine] ${JSON.stringify(line)}\n`);
        this.logs.push(line as Record<string, unknown>);
        if (this.logs.length > 2000) this.logs.splice(0, 1000);
      },
    };
    this.current = await startEngine(options);
    this.port = Number(new URL(this.current.url).port);
    return this.current;
  }

  /** Simulates SIGKILL of the engine. */
  async crash(): Promise<void> {
    const engine = this.current;
    this.current = undefined;
    await engine?.crash();
  }

  /** Graceful stop. */
  async close(): Promise<void> {
    const engine = this.current;
    this.current = undefined;
    await engine?.close();
  }

  /**
   * An SDK client whose id is unique to the caller; events and API calls go to the engine. Dev
   * mode, or cloud mode with the engine's keys (`keys` overrides them, e.g. for a rotation).
   */
  client(name: string, keys: Partial<SignedModeKeys> | undefined = this.options.keys): Inngest {
    const id = `conformance-${name}-${uid()}`;
    if (!this.options.keys)
      return new Inngest({ id, isDev: true, baseUrl: this.url, logger: silentLogger });
    return new Inngest({
      id,
      isDev: false,
      baseUrl: this.url,
      logger: silentLogger,
      ...this.options.keys,
      ...keys,
    });
  }

  /** What the SDK sends as `Authorization` in signed mode. */
  get authorization(): Record<string, string> {
    return this.options.keys
      ? { authorization: `Bearer ${parseSigningKey(this.options.keys.signingKey).hashed}` }
      : {};
  }

  /** Serves the functions on a new app server and syncs it (unless `sync: false`). Closed after the file. */
  async serve(
    client: Inngest.Any,
    functions: InngestFunction.Any[],
    options: { sync?: SyncMode | false } = {},
  ): Promise<AppServer> {
    const app = await startAppServer(client, functions);
    this.apps.push(app);
    const sync = options.sync ?? "in_band";
    if (sync) await this.engine.syncApp(app.url, { kind: sync });
    return app;
  }

  async shutdown(): Promise<void> {
    await this.close().catch(() => {});
    await Promise.all(this.apps.map((app) => app.close()));
  }

  // ── HTTP API ──

  async api<T>(path: string, init?: RequestInit): Promise<{ httpStatus: number; body: T }> {
    const response = await fetch(new URL(path, this.url), {
      ...init,
      headers: { ...this.authorization, ...(init?.headers as Record<string, string> | undefined) },
    });
    const text = await response.text();
    let body: unknown = text;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { httpStatus: response.status, body: body as T };
  }

  async getRun(runId: string): Promise<RunView | undefined> {
    const { httpStatus, body } = await this.api<V1<RunView>>(`/v1/runs/${runId}`);
    if (httpStatus === 404) return undefined;
    if (httpStatus !== 200)
      throw new Error(`GET /v1/runs/${runId} answered ${httpStatus}: ${describe(body)}`);
    return body.data;
  }

  async runsForEvent(eventId: string): Promise<RunView[]> {
    const { httpStatus, body } = await this.api<V1<RunView[]>>(`/v1/events/${eventId}/runs`);
    if (httpStatus !== 200)
      throw new Error(`GET /v1/events/${eventId}/runs answered ${httpStatus}: ${describe(body)}`);
    return body.data;
  }

  async getEvent(eventId: string): Promise<EventView | undefined> {
    const { httpStatus, body } = await this.api<V1<EventView>>(`/v1/events/${eventId}`);
    if (httpStatus === 404) return undefined;
    if (httpStatus !== 200)
      throw new Error(`GET /v1/events/${eventId} answered ${httpStatus}: ${describe(body)}`);
    return body.data;
  }

  /** Posts raw JSON to `POST /e/:key` (no SDK), returning the HTTP status and parsed body. */
  async sendRaw(body: unknown, headers: Record<string, string> = {}): Promise<SendResponse> {
    const { httpStatus, body: parsed } = await this.api<unknown>(
      `/e/${this.options.keys?.eventKey ?? "test-key"}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      },
    );
    return { httpStatus, body: parsed };
  }

  /** Sends events through the events API and returns the internal ids (fails on a non-200). */
  async send(events: EventInput | EventInput[]): Promise<string[]> {
    const { httpStatus, body } = await this.sendRaw(events);
    const ids = (body as { ids?: unknown } | null)?.ids;
    if (httpStatus !== 200 || !Array.isArray(ids))
      throw new Error(`POST /e answered ${httpStatus}: ${describe(body)}`);
    return ids as string[];
  }

  /** Waits until the event has started exactly `count` runs (at least, while polling) and returns them. */
  async waitForRuns(eventId: string, count = 1, timeoutMs = 10_000): Promise<RunView[]> {
    let seen: RunView[] = [];
    return waitFor(
      async () => {
        seen = await this.runsForEvent(eventId);
        return seen.length >= count ? seen : undefined;
      },
      {
        timeoutMs,
        message: () => `event ${eventId} should start ${count} run(s); runs: ${describe(seen)}`,
      },
    );
  }

  /** The one run the event started. */
  async runOf(eventId: string, timeoutMs = 10_000): Promise<RunView> {
    const [run] = await this.waitForRuns(eventId, 1, timeoutMs);
    if (!run) throw new Error("unreachable");
    return run;
  }

  /** Waits until the run has `status` and returns it; fails early if it ends with another status. */
  async waitForStatus(runId: string, status: RunStatus, timeoutMs = 10_000): Promise<RunView> {
    let seen: RunView | undefined;
    return waitFor(
      async () => {
        seen = await this.getRun(runId);
        if (seen && seen.status !== status && seen.status !== "Running") {
          throw new WaitAborted(
            `run ${runId} ended ${seen.status}, expected ${status}: ${describe(seen)}`,
          );
        }
        return seen?.status === status ? seen : undefined;
      },
      { timeoutMs, message: () => `run ${runId} should become ${status}; run: ${describe(seen)}` },
    );
  }

  /**
   * Sends `event()` every `everyMs` until the run is no longer Running, and returns the run.
   * For waits: a wait is registered once the engine has processed the SDK's WaitForEvent op,
   * which a test cannot observe, and only events received after that can resolve it. So the
   * event that resolves the wait is the first one sent after registration.
   */
  async sendUntilFinished(
    runId: string,
    event: () => EventInput,
    options: { everyMs?: number; timeoutMs?: number } = {},
  ): Promise<RunView> {
    const everyMs = options.everyMs ?? 200;
    let lastSend = 0;
    let seen: RunView | undefined;
    return waitFor(
      async () => {
        seen = await this.getRun(runId);
        if (seen && seen.status !== "Running") return seen;
        if (Date.now() - lastSend >= everyMs) {
          lastSend = Date.now();
          await this.send(event());
        }
        return undefined;
      },
      {
        timeoutMs: options.timeoutMs ?? 10_000,
        message: () =>
          `run ${runId} should be resolved by ${describe(event())}; run: ${describe(seen)}`,
      },
    );
  }

  /** The single run of the event, once it reached `status`. */
  async finishedRunOf(eventId: string, status: RunStatus, timeoutMs = 10_000): Promise<RunView> {
    const start = Date.now();
    const run = await this.runOf(eventId, timeoutMs);
    return this.waitForStatus(
      run.run_id,
      status,
      Math.max(timeoutMs - (Date.now() - start), 1_000),
    );
  }
}

/**
 * One engine for the whole test file: started in `beforeAll`, stopped (with every app server
 * the file started) in `afterAll`.
 */
export function setupEngine(options: HarnessOptions = {}): EngineHarness {
  const harness = new EngineHarness(options);
  beforeAll(async () => {
    await harness.start();
  });
  afterAll(async () => {
    await harness.shutdown();
  });
  return harness;
}
