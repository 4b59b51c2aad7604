import http from "node:http";
import type { AddressInfo } from "node:net";
import { checkpointBodySchema } from "./checkpoint";
import {
  MAX_METADATA_BODY_BYTES,
  planRunMetadata,
  runMetadataBodySchema,
  RunMetadataError,
  saveOpMetadata,
  saveRunMetadata,
} from "./run-metadata";
import {
  EngineStoppedError,
  EventValidationError,
  InngestEngine,
  type EngineFaults,
  type EngineLogLine,
} from "./engine";
import type { FunctionConfig } from "./protocol";
import type { OutputLimits } from "./output-limits";
import {
  appRequest,
  bearerAuthorized,
  eventKeyAuthorized,
  parseSigningKey,
  SigningKeyError,
  type EngineKeys,
} from "./signing";
import { createLeadership, type EngineRole } from "./leadership";
import { openStore, SCHEMA, type Sql } from "./store";

export type { EngineFaultPoint, EngineFaults, EngineLogLine } from "./engine";
export type { EngineRole } from "./leadership";

export type EngineOptions = {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  databaseUrl: string;
  /**
   * App serve URLs synced (in-band) at start and every poll interval. Once the engine has any
   * (these, or one given to `watchApp`), it takes no registration naming another URL.
   */
  appUrls?: string[];
  /**
   * Signed mode, as `inngest start --signing-key … --event-key …`: requests to the app are
   * signed, `/fn/register` and `/v1/*` want `Authorization: Bearer <hashed signing key>`, and
   * `/e/:key` the event key. Both keys or neither (dev mode: nothing is signed or checked).
   */
  signingKey?: string;
  /** Also accepted from the SDK while keys rotate; requests to the app are signed with `signingKey`. */
  signingKeyFallback?: string;
  eventKey?: string;
  retryIntervalSeconds?: number;
  /** Seconds between re-syncs of the apps; 0 disables polling. */
  pollIntervalSeconds?: number;
  historyRetentionHours?: number;
  /** How often finished history past the retention is deleted (default 60 s). */
  pruneIntervalSeconds?: number;
  maxConcurrentRequests?: number;
  requestTimeoutMs?: number;
  /** How often a standby tries to take the leader's lock (default 1 s). */
  leaderPollSeconds?: number;
  /**
   * Async checkpointing, as `inngest dev` and every real server run the SDK (default true);
   * false sends no `ctx.fn_id`, so the SDK answers one step per request.
   */
  checkpointing?: boolean;
  /** After a restart, seconds an interrupted request may still checkpoint before its step is dispatched again (default 10). */
  interruptedRequestGraceSeconds?: number;
  /**
   * How long a graceful stop waits for SDK requests in flight to be recorded (default 30 s);
   * past it the term ends abruptly, and the next leader recovers those steps (their checkpoints
   * still count within its interrupted-request grace).
   */
  drainTimeoutSeconds?: number;
  /** Step output limits (default Inngest's: 4 MiB a `step.run` output, 32 MiB a run's outputs together). */
  outputLimits?: OutputLimits;
  log?: (line: EngineLogLine) => void;
  /** Fault injection for tests (issue 19, D1–D4); never set in production. */
  faults?: EngineFaults;
};

export type SyncKind = "in_band" | "out_of_band";

export type Engine = {
  url: string;
  /**
   * One engine per database executes: the leader. Another is a standby — every route answers
   * 503 (`GET /health` too, for a load balancer) until it takes the lock over (leadership.ts).
   */
  role: () => EngineRole;
  /** The engine's database as `host:port/name`, for messages. */
  database: string;
  syncApp: (appUrl: string, options?: { kind?: SyncKind }) => Promise<void>;
  /** Syncs now, and again every poll interval (so a redeployed app's functions follow). */
  watchApp: (appUrl: string) => Promise<void>;
  close: () => Promise<void>;
  crash: () => Promise<void>;
};

const MAX_BODY_BYTES = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(
  request: http.IncomingMessage,
  maxBytes = MAX_BODY_BYTES,
): Promise<unknown> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, "request body too large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, "request body too large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "request body is not valid JSON");
  }
}

type ServerKind = "dev" | "cloud";

function send(response: http.ServerResponse, kind: ServerKind, status: number, body?: unknown) {
  const payload = body === undefined ? "" : JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "x-inngest-server-kind": kind });
  response.end(payload);
}

/** Both keys or neither: half a signed mode would leave one door open while looking shut. */
function engineKeys(
  options: Pick<EngineOptions, "signingKey" | "signingKeyFallback" | "eventKey">,
): EngineKeys | undefined {
  const { signingKey, signingKeyFallback, eventKey } = options;
  if (!signingKey && !eventKey && !signingKeyFallback) return undefined;
  if (!signingKey || !eventKey) {
    throw new SigningKeyError(
      "Signed mode needs both a signing key and an event key (--signing-key and --event-key).",
    );
  }
  return {
    signing: parseSigningKey(signingKey),
    signingFallback: signingKeyFallback
      ? parseSigningKey(signingKeyFallback, "fallback signing key")
      : undefined,
    eventKey,
  };
}

function endpointOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return null;
  }
}

/**
 * The first URL in a registration (the app's, or a step's) that is not one of the app URLs the
 * engine was configured with, or null when every one is. The engine sends each tenant's step
 * state to these URLs and stores what comes back, so a registration naming another host would
 * hand it every run. Query strings (`deployId`, `fnId`) do not change where a call goes.
 */
export function foreignAppUrl(
  allowed: readonly string[],
  url: string,
  configs: readonly FunctionConfig[],
): string | null {
  if (allowed.length === 0) return null;
  const endpoints = new Set(allowed.map(endpointOf));
  // The body is the caller's JSON: a config without steps, or a step without a URL, is not trusted to be well formed.
  const stepUrls = configs.flatMap((config) => {
    const steps: FunctionConfig["steps"] | undefined = config.steps;
    return Object.values(steps ?? {}).map((step) => String(step.runtime?.url));
  });
  return [url, ...stepUrls].find((candidate) => !endpoints.has(endpointOf(candidate))) ?? null;
}

/** A malformed escape is just a key that does not match, not a server error. */
function decodedPathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Routes of features the engine does not implement: a clear 501 naming the feature (the SDK puts
 * the body in the error it throws or logs), never a bare 404 that reads like a wrong URL.
 */
const UNSUPPORTED_ROUTES: {
  matches: (method: string, parts: string[]) => boolean;
  feature: string;
}[] = [
  {
    // Sync-mode checkpointing: a new run, its steps, and the redirect to its output.
    matches: (method, [api, resource, , sub]) =>
      api === "v1" &&
      ((resource === "checkpoint" && method === "POST" && sub !== "async") || resource === "http"),
    feature:
      "durable endpoints (POST /v1/checkpoint, /v1/checkpoint/:runId/steps, /v1/http/runs/:runId/output)",
  },
  {
    matches: (_method, [api, resource]) => api === "v0" && resource === "connect",
    feature: "connect() workers (the /v0/connect WebSocket gateway)",
  },
  {
    matches: (_method, [api, resource]) => api === "v1" && resource === "realtime",
    feature: "realtime channels (/v1/realtime)",
  },
  {
    // Where the SDK's extendedTracesMiddleware exports a run's spans.
    matches: (_method, [api, resource]) => api === "v1" && resource === "traces",
    feature: "extended traces (POST /v1/traces/userland)",
  },
  {
    matches: (_method, [api, resource]) => api === "v1" && resource === "signals",
    feature: "signals (POST /v1/signals, step.waitForSignal)",
  },
];

export function unsupportedFeature(method: string, parts: string[]): string | null {
  return UNSUPPORTED_ROUTES.find((route) => route.matches(method, parts))?.feature ?? null;
}

function issueText(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return "malformed body";
  return issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

function v1(data: unknown) {
  return { data, metadata: { fetched_at: new Date().toISOString() } };
}

type RunRow = {
  id: string;
  function_slug: string;
  function_version: number;
  event_id: string;
  status: string;
  output: unknown;
  cron: string | null;
  started_at: Date;
  ended_at: Date | null;
};

function runView(row: RunRow) {
  return {
    run_id: row.id,
    run_started_at: row.started_at.toISOString(),
    function_id: row.function_slug,
    function_slug: row.function_slug,
    function_version: row.function_version,
    environment_id: "local",
    event_id: row.event_id,
    ...(row.cron ? { cron: row.cron } : {}),
    status: row.status,
    ended_at: row.ended_at?.toISOString() ?? null,
    output: row.output,
  };
}

function createHandler(
  engine: InngestEngine,
  sql: Sql,
  keys: EngineKeys | undefined,
  appUrls: () => string[],
  log: (line: EngineLogLine) => void,
) {
  const s = sql(SCHEMA);
  const runColumns = sql`id, function_slug, function_version, event_id, status, output, cron, started_at, ended_at`;
  const kind: ServerKind = keys ? "cloud" : "dev";
  const reply = (response: http.ServerResponse, status: number, body?: unknown) =>
    send(response, kind, status, body);

  return async function handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? "/", "http://engine");
    const method = request.method ?? "GET";
    const parts = url.pathname.split("/").filter(Boolean);

    if (method === "GET" && url.pathname === "/health")
      return reply(response, 200, { status: 200, message: "OK" });

    // The SDK's own calls (registration, the REST API) carry the hashed signing key; a 401 makes
    // it retry with its fallback key. Events are keyed by the event key in the path instead.
    const api = url.pathname === "/fn/register" || parts[0] === "v0" || parts[0] === "v1";
    if (api && keys && !bearerAuthorized(request.headers.authorization, keys)) {
      return reply(response, 401, {
        error: "a signing key is required: Authorization: Bearer <hashed signing key>",
        status: 401,
      });
    }

    if (method === "POST" && url.pathname === "/fn/register") {
      const expected = request.headers["x-inngest-expected-server-kind"];
      if (expected && expected !== kind) {
        return reply(response, 400, {
          error: `Expected server kind ${kind}, got ${String(expected)}`,
          status: 400,
        });
      }
      const body = (await readJson(request)) as {
        appName?: string;
        url?: string;
        functions?: FunctionConfig[];
      } | null;
      if (!body?.appName || !body.url || !Array.isArray(body.functions)) {
        return reply(response, 400, {
          error: "appName, url and functions are required",
          status: 400,
        });
      }
      const stray = foreignAppUrl(appUrls(), body.url, body.functions);
      if (stray !== null) {
        return reply(response, 403, {
          error: `registration refused: ${stray} is not an app URL this engine was started with (-u)`,
          status: 403,
        });
      }
      const appUrl = new URL(body.url);
      appUrl.searchParams.delete("deployId");
      const { modified } = await engine.registerApp(
        body.appName,
        appUrl.toString(),
        body.functions,
      );
      return reply(response, 200, { ok: true, modified, app_id: body.appName, status: 200 });
    }

    if (method === "POST" && parts[0] === "e" && parts.length === 2) {
      if (keys && !eventKeyAuthorized(decodedPathSegment(parts[1] ?? ""), keys)) {
        return reply(response, 401, { ids: [], status: 401, error: "Event key not found" });
      }
      const body = await readJson(request);
      const events = Array.isArray(body) ? body : [body];
      try {
        const ids = await engine.ingest(events, {
          seed: request.headers["x-inngest-event-id-seed"] as string | undefined,
        });
        return reply(response, 200, { ids, status: 200 });
      } catch (error) {
        if (error instanceof EventValidationError)
          return reply(response, 400, { ids: [], status: 400, error: error.message });
        throw error;
      }
    }

    if (parts[0] === "v1") {
      const [, resource, id, sub] = parts;
      if (method === "GET" && resource === "events" && id && !sub) {
        const [event] = await sql<
          { internal_id: string; payload: Record<string, unknown>; received_at: Date }[]
        >`
          select internal_id, payload, received_at from ${s}.events where internal_id = ${id}`;
        if (!event) return reply(response, 404, { error: "event not found", status: 404 });
        return reply(
          response,
          200,
          v1({
            ...event.payload,
            internal_id: event.internal_id,
            received_at: event.received_at.toISOString(),
          }),
        );
      }
      if (method === "GET" && resource === "events" && id && sub === "runs") {
        const rows = await sql<
          RunRow[]
        >`select ${runColumns} from ${s}.runs where event_id = ${id} order by id`;
        return reply(response, 200, v1(rows.map(runView)));
      }
      if (resource === "runs" && id && !sub) {
        if (method === "GET") {
          const [row] = await sql<RunRow[]>`select ${runColumns} from ${s}.runs where id = ${id}`;
          return row
            ? reply(response, 200, v1(runView(row)))
            : reply(response, 404, { error: "run not found", status: 404 });
        }
        if (method === "DELETE") {
          const outcome = await engine.cancelRunById(id);
          if (outcome === "not_found")
            return reply(response, 404, { error: "run not found", status: 404 });
          return reply(response, 200);
        }
      }
      if (method === "POST" && resource === "runs" && id && sub === "metadata") {
        const parsed = runMetadataBodySchema.safeParse(
          await readJson(request, MAX_METADATA_BODY_BYTES),
        );
        if (!parsed.success) {
          return reply(response, 400, {
            error: `Invalid metadata target: ${issueText(parsed.error.issues[0])}`,
            status: 400,
          });
        }
        const runId = decodedPathSegment(id);
        try {
          await saveRunMetadata(sql, runId, planRunMetadata(runId, parsed.data));
          return reply(response, 200, { status: 200 });
        } catch (error) {
          if (error instanceof RunMetadataError)
            return reply(response, error.status, { error: error.message, status: error.status });
          throw error;
        }
      }
      // An app's registered functions: how a monitor (the app's /api/health) tells "synced".
      if (method === "GET" && resource === "apps" && id && sub === "functions") {
        const appName = decodedPathSegment(id);
        const registered = engine.listFunctions().filter((fn) => fn.appName === appName);
        return reply(
          response,
          200,
          v1(registered.map((fn) => ({ slug: fn.slug, version: fn.version }))),
        );
      }
      if (method === "POST" && resource === "checkpoint" && id && sub === "async") {
        const parsed = checkpointBodySchema.safeParse(await readJson(request));
        if (!parsed.success) {
          return reply(response, 400, {
            error: `invalid checkpoint: ${parsed.error.issues[0]?.message ?? "malformed body"}`,
            status: 400,
          });
        }
        try {
          const runId = decodedPathSegment(id);
          const outcome = await engine.checkpoint(runId, parsed.data);
          if (outcome.status === 200) await saveOpMetadata(sql, runId, parsed.data.steps, log);
          return outcome.status === 200
            ? reply(response, 200, { status: 200 })
            : reply(response, outcome.status, { error: outcome.error, status: outcome.status });
        } catch (error) {
          if (error instanceof EngineStoppedError)
            return reply(response, 503, { error: error.message, status: 503 });
          throw error;
        }
      }
      if (method === "POST" && resource === "cancellations" && !id) {
        const body = (await readJson(request)) as {
          app_id?: string;
          function_id?: string;
          started_before?: string;
          started_after?: string;
          if?: string;
        } | null;
        const startedBefore = body?.started_before ? new Date(body.started_before) : null;
        if (!body?.function_id || !startedBefore || Number.isNaN(startedBefore.getTime())) {
          return reply(response, 400, {
            error: "function_id and started_before (RFC3339) are required",
            status: 400,
          });
        }
        const known = new Set(engine.listFunctions().map((fn) => fn.slug));
        const slug = known.has(body.function_id)
          ? body.function_id
          : `${body.app_id ?? ""}-${body.function_id}`;
        const cancelled = await engine.cancelMany({
          functionSlug: slug,
          startedBefore,
          startedAfter: body.started_after ? new Date(body.started_after) : undefined,
          expression: body.if,
        });
        return reply(response, 200, v1({ function_id: slug, cancelled }));
      }
    }

    const unsupported = unsupportedFeature(method, parts);
    if (unsupported !== null)
      return reply(response, 501, {
        error: `${unsupported} are not supported by the embedded Inngest engine (inngest/engine/README.md); use the Inngest Dev Server, inngest start or Inngest Cloud`,
        status: 501,
      });
    return reply(response, 404, { error: `no route for ${method} ${url.pathname}`, status: 404 });
  };
}

async function syncApp(
  engine: InngestEngine,
  engineUrl: string,
  appUrl: string,
  kind: SyncKind,
  keys: EngineKeys | undefined,
): Promise<void> {
  const { headers, body: payload } = appRequest({ url: appUrl }, keys);
  const response = await fetch(appUrl, {
    method: "PUT",
    headers: { ...headers, ...(kind === "in_band" ? { "x-inngest-sync-kind": "in_band" } : {}) },
    body: payload,
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`sync of ${appUrl} failed: ${response.status} ${text.slice(0, 300)}`);
  if (kind === "out_of_band") return;
  if (response.headers.get("x-inngest-sync-kind") !== "in_band") {
    const setting = keys
      ? `INNGEST_BASE_URL=${engineUrl} and the engine's INNGEST_SIGNING_KEY`
      : `INNGEST_DEV=${engineUrl}`;
    throw new Error(`${appUrl} did not answer the in-band sync (is ${setting} set for the app?)`);
  }
  const body = JSON.parse(text) as { app_id: string; url?: string; functions: FunctionConfig[] };
  const stray = foreignAppUrl([appUrl], body.url ?? appUrl, body.functions);
  if (stray !== null) {
    throw new Error(
      `${appUrl} answered the sync naming ${stray}: set its INNGEST_SERVE_ORIGIN so the app names the URL the engine syncs`,
    );
  }
  await engine.registerApp(body.app_id, body.url ?? appUrl, body.functions);
}

const defaultLog = (line: EngineLogLine) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...line })}\n`);
};

type Handler = ReturnType<typeof createHandler>;
/** What one term of leadership runs; a standby has none. */
type Term = {
  engine: InngestEngine;
  sql: Sql;
  handle: Handler;
  poller?: NodeJS.Timeout;
  /** Set by a graceful stop: in-flight requests are still served, nothing new is dispatched. */
  draining: boolean;
  /** Ends a drain that is under way when the term ends abruptly. */
  halt: () => void;
  halted: Promise<void>;
};

/** Resolves true once the engine has drained, false if the term was halted or the cap passed first. */
async function drained(current: Term, capMs: number): Promise<boolean> {
  current.draining = true;
  let timer: NodeJS.Timeout | undefined;
  const capped = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), capMs);
  });
  const closed = current.engine.close().then(() => true as const);
  try {
    return await Promise.race([closed, capped, current.halted.then(() => false as const)]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts the engine: the HTTP API at once, then the election (leadership.ts). The leader
 * migrates its schema, recovers unfinished work and syncs the apps; a standby answers every
 * route 503 and does all of that when it takes the lock over.
 */
export async function startEngine(options: EngineOptions): Promise<Engine> {
  const log = options.log ?? defaultLog;
  const keys = engineKeys(options);
  const kind: ServerKind = keys ? "cloud" : "dev";
  const watched = new Set(options.appUrls ?? []);
  let term: Term | null = null;
  let url = "";

  const syncWatched = async (current: Term) => {
    for (const appUrl of watched) {
      if (term !== current) return;
      await syncApp(current.engine, url, appUrl, "in_band", keys).catch((error: unknown) =>
        log({ level: "warn", msg: "app.sync_failed", app_url: appUrl, error: String(error) }),
      );
    }
  };
  const lead = async () => {
    const sql = await openStore(options.databaseUrl);
    const engine = new InngestEngine(sql, {
      retryIntervalSeconds: options.retryIntervalSeconds,
      historyRetentionHours: options.historyRetentionHours ?? 24 * 7,
      pruneIntervalMs: (options.pruneIntervalSeconds ?? 60) * 1000,
      maxConcurrentRequests: options.maxConcurrentRequests ?? 64,
      requestTimeoutMs: options.requestTimeoutMs ?? 2 * 3_600_000,
      checkpointing: options.checkpointing ?? true,
      interruptedRequestGraceMs: (options.interruptedRequestGraceSeconds ?? 10) * 1000,
      keys,
      outputLimits: options.outputLimits,
      log,
      faults: options.faults,
    });
    try {
      await engine.recover();
      // The lock's session may have closed while recovering: then onLost found no term to end.
      if (leadership.role() !== "leader") throw new Error("the lock was lost while recovering");
    } catch (error) {
      engine.crash();
      await sql.end({ timeout: 0 });
      throw error;
    }
    let halt = () => {};
    const halted = new Promise<void>((resolve) => {
      halt = resolve;
    });
    const current: Term = {
      engine,
      sql,
      handle: createHandler(engine, sql, keys, () => [...watched], log),
      draining: false,
      halt,
      halted,
    };
    term = current;
    await syncWatched(current);
    const pollSeconds = options.pollIntervalSeconds ?? 5;
    if (pollSeconds > 0 && term === current) {
      current.poller = setInterval(() => void syncWatched(current), pollSeconds * 1000);
      current.poller.unref();
    }
  };
  const drainCapMs = (options.drainTimeoutSeconds ?? 30) * 1000;
  /**
   * Abrupt (the lock is lost: nothing more may be written) or graceful (in-flight work is
   * recorded). A graceful end turns abrupt when the lock is lost while draining, or at the cap.
   */
  const endTerm = async (graceful: boolean) => {
    const current = term;
    if (!current) return;
    clearInterval(current.poller);
    // Requests in flight may still checkpoint: the term serves them until the engine has drained.
    if (graceful && (await drained(current, drainCapMs))) {
      if (term === current) term = null;
      await current.sql.end({ timeout: 5 });
      return;
    }
    // Already ended abruptly (the lock was lost while draining).
    if (term !== current) return;
    if (graceful) log({ level: "warn", msg: "engine.drain_timeout", drain_timeout_ms: drainCapMs });
    term = null;
    current.halt();
    current.engine.crash();
    await current.sql.end({ timeout: 0 });
  };
  const leadership = createLeadership({
    databaseUrl: options.databaseUrl,
    pollMs: (options.leaderPollSeconds ?? 1) * 1000,
    onElected: lead,
    onLost: () => endTerm(false),
    log,
  });
  const standbyMessage = `standby: another engine holds the lock on ${leadership.database}`;
  const drainingMessage = `draining: this engine is stopping; its standby takes over the lock on ${leadership.database} once it has`;

  const server = http.createServer((request, response) => {
    const current = term;
    if (!current) {
      // The SDK retries a failed send and checkpoint; a load balancer's health check routes to the leader.
      const body =
        request.url === "/health"
          ? { status: 503, message: standbyMessage }
          : { error: `${standbyMessage}; retry, or send to the leader`, status: 503 };
      response.writeHead(503, {
        "content-type": "application/json",
        "x-inngest-server-kind": kind,
        "retry-after": "1",
      });
      response.end(JSON.stringify(body));
      return;
    }
    // A load balancer takes a draining leader out of rotation; a request in flight whose
    // checkpoint then cannot reach it answers with its steps instead (the SDK's fallback).
    if (current.draining && request.url === "/health") {
      response.writeHead(503, {
        "content-type": "application/json",
        "x-inngest-server-kind": kind,
        "retry-after": "1",
      });
      response.end(JSON.stringify({ status: 503, message: drainingMessage }));
      return;
    }
    current.handle(request, response).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 500)
        log({ level: "error", msg: "http.failed", path: request.url, error: String(error) });
      if (!response.headersSent)
        send(response, kind, status, {
          error: error instanceof Error ? error.message : String(error),
          status,
        });
      else response.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://${host}:${port}`;
  const stopServer = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  let role: EngineRole;
  try {
    role = await leadership.start();
  } catch (error) {
    await stopServer();
    throw error;
  }

  log({ level: "info", msg: "engine.started", url, role });
  return {
    url,
    database: leadership.database,
    role: () => (term ? "leader" : "standby"),
    syncApp: async (appUrl, syncOptions) => {
      const current = term;
      if (!current) throw new Error(`${standbyMessage}: sync the app through the leader`);
      await syncApp(current.engine, url, appUrl, syncOptions?.kind ?? "in_band", keys);
    },
    watchApp: async (appUrl) => {
      // Watched before the first sync, so an app that does not answer yet is synced by the
      // poller, and a standby syncs it when it takes over.
      watched.add(appUrl);
      const current = term;
      if (current) await syncApp(current.engine, url, appUrl, "in_band", keys);
    },
    close: async () => {
      // Requests in flight may still checkpoint: the server closes once the engine has drained.
      await leadership.stop(() => endTerm(true));
      await stopServer();
    },
    crash: async () => {
      await leadership.stop(() => endTerm(false));
      await stopServer();
    },
  };
}
