import { mkdtemp, rm, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import {
  EmbeddedPostgresError,
  firstFreePort,
  PASSWORD_FILE,
  readStoredPassword,
  startEmbeddedPostgres,
} from "./embedded-postgres";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "skillrun-pg-"));
  dirs.push(dir);
  return path.join(dir, "postgres");
}

describe("embedded PostgreSQL", () => {
  it("initialises, serves queries, refuses a second start on the same data, and recovers from a stale lock", async () => {
    const dataDir = await tempDataDir();
    const port = await firstFreePort(25_400);
    const server = await startEmbeddedPostgres({ dataDir, port, fast: true });
    try {
      const sql = postgres(server.urlFor("postgres"), { max: 1 });
      expect((await sql`select 1 as one`)[0]).toEqual({ one: 1 });
      await sql.end();

      await expect(startEmbeddedPostgres({ dataDir, port: port + 1 })).rejects.toThrow(
        /already running \(pid \d+, port \d+\)/,
      );
      const reused = await startEmbeddedPostgres({ dataDir, port: port + 1, reuseRunning: true });
      expect(reused).toMatchObject({ owned: false, port });
    } finally {
      await server.stop();
    }

    // What a crash leaves behind: a lock file naming a process that no longer exists.
    await writeFile(path.join(dataDir, "postmaster.pid"), `999999\n${dataDir}\n0\n${port}\n\n\n`);
    const restarted = await startEmbeddedPostgres({ dataDir, port, fast: true });
    await restarted.stop();
  });

  it("gives the superuser a random password kept in the data directory, and moves an old cluster off the published one", async () => {
    const dataDir = await tempDataDir();
    const port = await firstFreePort(25_500);
    const canConnect = async (password: string) => {
      const sql = postgres(
        `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
        { max: 1, connect_timeout: 5, onnotice: () => {} },
      );
      try {
        await sql`select 1`;
        return true;
      } catch {
        return false;
      } finally {
        await sql.end({ timeout: 1 });
      }
    };

    let server = await startEmbeddedPostgres({ dataDir, port, fast: true });
    const password = await readStoredPassword(dataDir);
    try {
      expect(password).toMatch(/^[\w-]{32}$/);
      expect((await stat(path.join(dataDir, PASSWORD_FILE))).mode & 0o777).toBe(0o600);
      expect(server.urlFor("postgres")).toContain(`:${password}@`);
      expect(await canConnect(password!)).toBe(true);
      expect(await canConnect("skillrun-local")).toBe(false);

      // A cluster from before generated passwords: the published one, and no password file.
      const sql = postgres(server.urlFor("postgres"), { max: 1 });
      await sql.unsafe(`alter role postgres with password 'skillrun-local'`);
      await sql.end();
    } finally {
      await server.stop();
    }
    await unlink(path.join(dataDir, PASSWORD_FILE));

    server = await startEmbeddedPostgres({ dataDir, port, fast: true });
    try {
      const replaced = await readStoredPassword(dataDir);
      expect(replaced).toMatch(/^[\w-]{32}$/);
      expect(replaced).not.toBe(password);
      expect(await canConnect("skillrun-local")).toBe(false);
      expect(await canConnect(replaced!)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it("says which variable to set when its port is taken", async () => {
    const port = await firstFreePort(25_700);
    const blocker = (await import("node:net")).createServer().listen(port, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    try {
      const error = await startEmbeddedPostgres({ dataDir: await tempDataDir(), port }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      expect((error as Error).message).toMatch(/Port \d+ is in use.*SKILLRUN_PG_PORT/);
    } finally {
      blocker.close();
    }
  });
});
