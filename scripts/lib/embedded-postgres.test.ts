import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedPostgresError, isPortFree, startEmbeddedPostgres } from "./embedded-postgres";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "skillrun-pg-"));
  dirs.push(dir);
  return path.join(dir, "postgres");
}

async function freePortFrom(start: number) {
  for (let port = start; port < start + 200; port++) if (await isPortFree(port)) return port;
  throw new Error("no free port");
}

describe("embedded PostgreSQL", () => {
  it("initialises, serves queries, refuses a second start on the same data, and recovers from a stale lock", async () => {
    const dataDir = await tempDataDir();
    const port = await freePortFrom(55_400);
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

  it("says which variable to set when its port is taken", async () => {
    const port = await freePortFrom(55_700);
    const blocker = (await import("node:net")).createServer().listen(port, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    try {
      const error = await startEmbeddedPostgres({ dataDir: await tempDataDir(), port }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EmbeddedPostgresError);
      expect((error as Error).message).toMatch(/Port \d+ is in use.*SKILLRUN_PG_PORT/);
    } finally {
      blocker.close();
    }
  });
});
