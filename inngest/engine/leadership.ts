import postgres from "postgres";
import type { EngineLogLine } from "./engine";
import { ENGINE_APPLICATION_NAME, SCHEMA, type Sql } from "./store";

/**
 * One leader per database: the engine that holds a session-level advisory lock, on a
 * connection of its own kept for its lifetime, executes; any other engine on the database is a
 * standby that polls for the lock and takes over once the leader's session ends (a SIGKILLed
 * process's socket closes, PostgreSQL ends the session and frees the lock).
 */

export type EngineRole = "leader" | "standby";

const LOCK_APPLICATION_NAME = "skillrun-inngest-engine-lock";
// The two-key form, so it cannot collide with the migration lock (the one-key hashtext(SCHEMA)).
const LOCK_KEY_SQL = `hashtext('${SCHEMA}'), 1`;

export type LeadershipOptions = {
  databaseUrl: string;
  /** How often a standby tries the lock (default 1 s). */
  pollMs?: number;
  /** How often a leader checks it still holds the lock (default 1 s). */
  heartbeatMs?: number;
  /** Starts executing: recover and serve. A throw gives the lock back and the standby tries again. */
  onElected: () => Promise<void>;
  /** Stops executing at once: the lock is gone, another engine may already be taking over. */
  onLost: (reason: string) => Promise<void>;
  log: (line: EngineLogLine) => void;
};

export type Leadership = {
  role: () => EngineRole;
  /** `host:port/database`, for messages (never the password). */
  database: string;
  /** The first attempt: a leader has run `onElected` when this resolves; a standby polls on. */
  start: () => Promise<EngineRole>;
  /** No more elections; `stopExecuting` runs (a leader stops), then the lock is given back. */
  stop: (stopExecuting: () => Promise<void>) => Promise<void>;
};

export function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.hostname}${url.port ? `:${url.port}` : ""}${url.pathname}`;
  } catch {
    return "the configured database";
  }
}

function lockClient(databaseUrl: string, onclose: () => void): Sql {
  return postgres(databaseUrl, {
    max: 1,
    // The session is the lock: it must never be recycled under the leader.
    max_lifetime: null,
    idle_timeout: 0,
    keep_alive: 10,
    connect_timeout: 5,
    onnotice: () => {},
    onclose,
    connection: { application_name: LOCK_APPLICATION_NAME },
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Ends the sessions of an engine that lost the lock while still alive (its connection killed,
 * its process stalled): a write it had in flight is rolled back, not applied under the new
 * leader's recovery. A SIGKILLed engine's sessions are gone already.
 */
async function fenceStaleSessions(client: Sql, log: LeadershipOptions["log"]): Promise<void> {
  const stale = await client<{ pid: number }[]>`
    select pid from pg_stat_activity
    where datname = current_database() and application_name = ${ENGINE_APPLICATION_NAME}
      and pid <> pg_backend_pid()`;
  for (const { pid } of stale) {
    await client`select pg_terminate_backend(${pid}, 5000)`.catch((error: unknown) =>
      log({ level: "warn", msg: "leadership.fence_failed", pid, error: String(error) }),
    );
  }
  if (stale.length > 0) log({ level: "warn", msg: "leadership.fenced", sessions: stale.length });
}

async function holderOf(client: Sql): Promise<string> {
  const [row] = await client<{ pid: number; client_addr: string | null }[]>`
    select a.pid, host(a.client_addr) as client_addr
    from pg_locks l join pg_stat_activity a on a.pid = l.pid
    where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.objid = 1
      and l.database = (select oid from pg_database where datname = current_database())
    limit 1`.catch(() => []);
  return row
    ? `PostgreSQL session ${row.pid}${row.client_addr ? ` from ${row.client_addr}` : ""}`
    : "";
}

export function createLeadership(options: LeadershipOptions): Leadership {
  const pollMs = options.pollMs ?? 1_000;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const database = describeDatabase(options.databaseUrl);
  const { log } = options;
  let role: EngineRole = "standby";
  let stopped = false;
  let client: Sql | null = null;
  let timer: NodeJS.Timeout | undefined;
  /** Serialises election, loss and stop, so each sees the state the last one left. */
  let transition: Promise<unknown> = Promise.resolve();
  const serially = <T>(step: () => Promise<T>): Promise<T> => {
    const next = transition.then(step);
    transition = next.catch(() => {});
    return next;
  };

  const connection = (): Sql => {
    if (client) return client;
    const mine = lockClient(options.databaseUrl, () => {
      if (client === mine && role === "leader") void lose("the lock's database session closed");
    });
    client = mine;
    return mine;
  };
  const dropConnection = async () => {
    const old = client;
    client = null;
    await old?.end({ timeout: 0 }).catch(() => {});
  };
  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void tick(), ms);
  };

  const lose = (reason: string) =>
    serially(async () => {
      if (role !== "leader" || stopped) return;
      role = "standby";
      log({ level: "error", msg: "leadership.lost", database, reason });
      await options.onLost(reason);
      await dropConnection();
      schedule(pollMs);
    });

  const attempt = async (): Promise<EngineRole> => {
    if (stopped) return "standby";
    const sql = connection();
    const [row] = await sql.unsafe<{ locked: boolean }[]>(
      `select pg_try_advisory_lock(${LOCK_KEY_SQL}) as locked`,
    );
    if (!row?.locked) return "standby";
    role = "leader";
    try {
      await fenceStaleSessions(sql, log);
      await options.onElected();
    } catch (error) {
      role = "standby";
      log({ level: "error", msg: "leadership.start_failed", database, error: String(error) });
      await options.onLost(`could not start: ${String(error)}`).catch(() => {});
      await dropConnection();
      throw error;
    }
    return "leader";
  };

  const stillHeld = async (): Promise<boolean> => {
    const sql = client;
    if (!sql) return false;
    const [row] = await withTimeout(
      sql<{ held: boolean }[]>`
        select exists(select 1 from pg_locks where locktype = 'advisory' and granted
          and pid = pg_backend_pid() and objsubid = 2 and objid = 1) as held`,
      Math.max(heartbeatMs * 3, 3_000),
    );
    return row?.held === true;
  };

  const tick = async () => {
    if (stopped) return;
    if (role === "leader") {
      const held = await stillHeld().catch(() => false);
      if (!held) return lose("the lock is no longer held by this engine's session");
      return schedule(heartbeatMs);
    }
    const outcome = await serially(attempt).catch((error: unknown) => {
      log({ level: "warn", msg: "leadership.poll_failed", database, error: String(error) });
      return "standby" as const;
    });
    if (outcome === "leader") log({ level: "info", msg: "engine.leading", database });
    schedule(outcome === "leader" ? heartbeatMs : pollMs);
  };

  return {
    role: () => role,
    database,
    start: async () => {
      const outcome = await serially(attempt);
      if (outcome === "standby") {
        const holder = client ? await holderOf(client) : "";
        log({
          level: "warn",
          msg: "engine.standby",
          database,
          message: `standby: another engine holds the lock on ${database}${holder ? ` (${holder})` : ""}; taking over when it stops`,
        });
      }
      schedule(outcome === "leader" ? heartbeatMs : pollMs);
      return outcome;
    },
    stop: (stopExecuting) =>
      serially(async () => {
        stopped = true;
        clearTimeout(timer);
        await stopExecuting();
        role = "standby";
        // Ending the session frees the lock; an explicit unlock first makes it immediate.
        await client?.unsafe(`select pg_advisory_unlock_all()`).catch(() => {});
        await dropConnection();
      }),
  };
}
