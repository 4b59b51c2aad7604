import { sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { queueHealth, type QueueHealth } from "@/server/services/runs/queue-health";
import { parseSigningKey } from "./engine/signing";
import type { InngestServer } from "./inngest-server";

/**
 * What `/api/health` answers. Aggregates only: no address, key, tenant or run id, because
 * anyone who reaches the app may ask (load balancers and monitors do, unauthenticated).
 */
export type HealthReport = {
  status: "ok" | "unavailable";
  /** Why the status is `unavailable`, one sentence each; empty when ok. */
  problems: string[];
  database: "ok" | "unreachable";
  engine?: {
    server: InngestServer["kind"];
    /** null: not probed (Inngest Cloud) or not probeable (misconfigured). */
    reachable: boolean | null;
    /** null: the server does not say which functions it has (only the embedded engine does). */
    appSynced: boolean | null;
  };
  queue?: QueueHealth & { maxQueuedSeconds: number };
};

export type ExecutionPlaneOptions = {
  db: Database;
  server: InngestServer;
  signingKey: string | undefined;
  /** The app's Inngest id and its function ids (without the app prefix). */
  appId: string;
  functionIds: readonly string[];
  maxQueuedSeconds: number;
  timeoutMs?: number;
};

type EngineHealth = NonNullable<HealthReport["engine"]> & { problem?: string };

async function databaseReachable(db: Database): Promise<boolean> {
  return db.execute(sql`select 1`).then(
    () => true,
    () => false,
  );
}

/** Ready when the app can reach its database: what a load balancer routes on. */
export async function appHealth(db: Database): Promise<HealthReport> {
  return (await databaseReachable(db))
    ? { status: "ok", problems: [], database: "ok" }
    : { status: "unavailable", problems: ["database unreachable"], database: "unreachable" };
}

async function registeredFunctions(
  baseUrl: string,
  options: ExecutionPlaneOptions,
  timeoutMs: number,
): Promise<string[] | null> {
  if (!options.signingKey) return null;
  const response = await fetch(
    new URL(`/v1/apps/${encodeURIComponent(options.appId)}/functions`, baseUrl),
    {
      headers: { authorization: `Bearer ${parseSigningKey(options.signingKey).hashed}` },
      signal: AbortSignal.timeout(timeoutMs),
    },
  ).catch(() => null);
  if (!response?.ok) return null;
  const body = (await response.json().catch(() => null)) as { data?: unknown } | null;
  if (!Array.isArray(body?.data)) return null;
  return body.data.map((fn: { slug?: unknown }) => String(fn.slug));
}

/**
 * The server's `GET /health` (the embedded engine's, `inngest dev`'s): any answer below 500 means
 * it is up; a 5xx (an engine standby answers 503) or no answer means nothing behind this URL runs.
 */
async function probeServer(
  server: { kind: "dev" | "self_hosted"; baseUrl: string },
  options: ExecutionPlaneOptions,
): Promise<EngineHealth> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const setting = server.kind === "dev" ? "INNGEST_DEV" : "INNGEST_BASE_URL";
  const answer = await fetch(new URL("/health", server.baseUrl), {
    signal: AbortSignal.timeout(timeoutMs),
  }).catch(() => null);
  if (!answer || answer.status >= 500) {
    return {
      server: server.kind,
      reachable: false,
      appSynced: null,
      problem: answer
        ? `the Inngest server (${setting}) answered ${answer.status}: no engine there executes runs`
        : `the Inngest server (${setting}) does not answer`,
    };
  }
  const registered = await registeredFunctions(server.baseUrl, options, timeoutMs);
  if (registered === null) return { server: server.kind, reachable: true, appSynced: null };
  const missing = options.functionIds.filter(
    (id) => !registered.includes(`${options.appId}-${id}`),
  );
  return {
    server: server.kind,
    reachable: true,
    appSynced: missing.length === 0,
    ...(missing.length
      ? { problem: `the Inngest server has not registered the app's ${missing.join(", ")}` }
      : {}),
  };
}

async function engineHealth(options: ExecutionPlaneOptions): Promise<EngineHealth> {
  const { server } = options;
  switch (server.kind) {
    case "dev":
    case "self_hosted":
      return probeServer(server, options);
    case "cloud":
      // Inngest Cloud's status is status.inngest.com's business; a stalled queue still shows here.
      return { server: server.kind, reachable: null, appSynced: null };
    case "misconfigured":
      return { server: server.kind, reachable: null, appSynced: null, problem: server.problem };
    case "embedded":
      return {
        server: server.kind,
        reachable: false,
        appSynced: false,
        problem:
          "no Inngest server is configured for the app: start it with the launcher (npm start), or set INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY (+ INNGEST_BASE_URL unless Inngest Cloud)",
      };
  }
}

/**
 * Whether runs execute: the database, the Inngest server (reachable, the app's functions
 * registered where the server says), and the queue — red when its oldest run has waited longer
 * than `maxQueuedSeconds` while no running run started within that time. A backlog that moves
 * (runs waiting for their tenant's concurrency slot) stays green; a queue nothing takes from,
 * whatever the cause (server down, app not registered, keys wrong), turns red.
 */
export async function executionPlaneHealth(options: ExecutionPlaneOptions): Promise<HealthReport> {
  const [databaseOk, engine] = await Promise.all([
    databaseReachable(options.db),
    engineHealth(options),
  ]);
  const problems: string[] = [];
  if (!databaseOk) problems.push("database unreachable");
  const { problem: engineProblem, ...engineReport } = engine;
  if (engineProblem) problems.push(engineProblem);
  const queue = databaseOk ? await queueHealth(options.db).catch(() => null) : null;
  const max = options.maxQueuedSeconds;
  if (
    queue?.oldestQueuedSeconds !== null &&
    queue?.oldestQueuedSeconds !== undefined &&
    queue.oldestQueuedSeconds > max &&
    !(queue.newestRunningSeconds !== null && queue.newestRunningSeconds <= max)
  ) {
    problems.push(
      `a run has been queued for ${queue.oldestQueuedSeconds} s (over ${max} s, SKILLRUN_HEALTH_MAX_QUEUED_SECONDS) and no run started meanwhile`,
    );
  }
  return {
    status: problems.length ? "unavailable" : "ok",
    problems,
    database: databaseOk ? "ok" : "unreachable",
    engine: engineReport,
    ...(queue ? { queue: { ...queue, maxQueuedSeconds: max } } : {}),
  };
}

/** How long `/api/health` serves one execution-plane report before it probes again. */
export const HEALTH_REPORT_TTL_MS = 5_000;

/**
 * One report for every caller within `ttlMs` of its computation, and one computation in flight
 * shared by concurrent callers: the endpoint is open to anyone, and each report costs two
 * requests to the Inngest server and two queries, so a caller can never make the app hammer
 * either. A computation that throws is not kept.
 */
export function sharedReport<T>(
  compute: () => Promise<T>,
  options: {
    ttlMs?: number;
    now?: () => number;
    /** Whether a report is kept for the window; one that is not is still shared while computed. */
    keep?: (report: T) => boolean;
  } = {},
): () => Promise<T> {
  const ttlMs = options.ttlMs ?? HEALTH_REPORT_TTL_MS;
  const now = options.now ?? Date.now;
  const keep = options.keep ?? (() => true);
  let current: { report: Promise<T>; settledAt: number | null } | null = null;
  return () => {
    if (current && (current.settledAt === null || now() - current.settledAt < ttlMs))
      return current.report;
    const entry: { report: Promise<T>; settledAt: number | null } = {
      report: compute().then(
        (report) => {
          entry.settledAt = now();
          if (!keep(report) && current === entry) current = null;
          return report;
        },
        (error: unknown) => {
          if (current === entry) current = null;
          throw error;
        },
      ),
      settledAt: null,
    };
    current = entry;
    return entry.report;
  };
}
