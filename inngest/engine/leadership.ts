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
  /**
   * Starts executing: recover and serve. A throw gives the lock back and the standby tries
   * again; before it serves it must check `role()` is still "leader" (the lock can go meanwhile).
   */
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
  /**
   * No more elections; `stopExecuting` runs (a leader stops), then the lock is given back. A
   * leader keeps watching its lock until `stopExecuting` resolves: a loss meanwhile runs
   * `onLost` at once, which must end `stopExecuting` too.
   */
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

/** The election's state machine: standby ⇄ leader, until stopped. */
class Election implements Leadership {
  readonly database: string;
  private current: EngineRole = "standby";
  private stopped = false;
  /** A stopped leader still executing (draining): its heartbeat and `onclose` stay live. */
  private draining = false;
  private client: Sql | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** Serialises election, loss and stop, so each sees the state the last one left. */
  private transition: Promise<unknown> = Promise.resolve();
  private readonly pollMs: number;
  private readonly heartbeatMs: number;

  constructor(private readonly options: LeadershipOptions) {
    this.database = describeDatabase(options.databaseUrl);
    this.pollMs = options.pollMs ?? 1_000;
    this.heartbeatMs = options.heartbeatMs ?? 1_000;
  }

  role = () => this.current;

  start = async (): Promise<EngineRole> => {
    const outcome = await this.serially(() => this.attempt());
    if (outcome === "standby") {
      const holder = this.client ? await holderOf(this.client) : "";
      this.options.log({
        level: "warn",
        msg: "engine.standby",
        database: this.database,
        message: `standby: another engine holds the lock on ${this.database}${holder ? ` (${holder})` : ""}; taking over when it stops`,
      });
    }
    this.schedule(outcome === "leader" ? this.heartbeatMs : this.pollMs);
    return outcome;
  };

  stop = (stopExecuting: () => Promise<void>) =>
    this.serially(async () => {
      this.stopped = true;
      // A drain can last as long as the slowest request in flight: a lock lost meanwhile must
      // still stop it, or the old leader writes while the standby has taken over.
      this.draining = this.current === "leader";
      if (!this.draining) clearTimeout(this.timer);
      try {
        await stopExecuting();
      } finally {
        this.draining = false;
        clearTimeout(this.timer);
      }
      this.current = "standby";
      // Ending the session frees the lock; an explicit unlock first makes it immediate.
      await this.client?.unsafe(`select pg_advisory_unlock_all()`).catch(() => {});
      await this.dropConnection();
    });

  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.transition.then(step);
    this.transition = next.catch(() => {});
    return next;
  }

  private connection(): Sql {
    if (this.client) return this.client;
    const mine = lockClient(this.options.databaseUrl, () => {
      if (this.client === mine && this.current === "leader")
        void this.lose("the lock's database session closed");
    });
    this.client = mine;
    return mine;
  }

  private async dropConnection() {
    const old = this.client;
    this.client = null;
    await old?.end({ timeout: 0 }).catch(() => {});
  }

  private schedule(ms: number) {
    clearTimeout(this.timer);
    if (!this.stopped || this.draining) this.timer = setTimeout(() => void this.tick(), ms);
  }

  /** Stops executing before anything else (not queued behind an election still syncing apps). */
  private lose(reason: string) {
    if (this.current !== "leader" || (this.stopped && !this.draining)) return;
    this.current = "standby";
    this.options.log({ level: "error", msg: "leadership.lost", database: this.database, reason });
    const halted = this.options.onLost(reason);
    return this.serially(async () => {
      await halted;
      await this.dropConnection();
      this.schedule(this.pollMs);
    });
  }

  private async attempt(): Promise<EngineRole> {
    if (this.stopped) return "standby";
    const sql = this.connection();
    const [row] = await sql.unsafe<{ locked: boolean }[]>(
      `select pg_try_advisory_lock(${LOCK_KEY_SQL}) as locked`,
    );
    if (!row?.locked) return "standby";
    this.current = "leader";
    this.options.log({ level: "info", msg: "leadership.acquired", database: this.database });
    try {
      await fenceStaleSessions(sql, this.options.log);
      await this.options.onElected();
    } catch (error) {
      this.current = "standby";
      this.options.log({
        level: "error",
        msg: "leadership.start_failed",
        database: this.database,
        error: String(error),
      });
      await this.options.onLost(`could not start: ${String(error)}`).catch(() => {});
      await this.dropConnection();
      throw error;
    }
    return "leader";
  }

  private async stillHeld(): Promise<boolean> {
    const sql = this.client;
    if (!sql) return false;
    const [row] = await withTimeout(
      sql<{ held: boolean }[]>`
        select exists(select 1 from pg_locks where locktype = 'advisory' and granted
          and pid = pg_backend_pid() and objsubid = 2 and objid = 1) as held`,
      Math.max(this.heartbeatMs * 3, 3_000),
    );
    return row?.held === true;
  }

  private async tick() {
    if (this.stopped && !this.draining) return;
    if (this.current === "leader") {
      const held = await this.stillHeld().catch(() => false);
      if (!held) return this.lose("the lock is no longer held by this engine's session");
      return this.schedule(this.heartbeatMs);
    }
    if (this.stopped) return;
    const outcome = await this.serially(() => this.attempt()).catch((error: unknown) => {
      this.options.log({
        level: "warn",
        msg: "leadership.poll_failed",
        database: this.database,
        error: String(error),
      });
      return "standby" as const;
    });
    if (outcome === "leader")
      this.options.log({ level: "info", msg: "engine.leading", database: this.database });
    this.schedule(outcome === "leader" ? this.heartbeatMs : this.pollMs);
  }
}

export function createLeadership(options: LeadershipOptions): Leadership {
  return new Election(options);
}
