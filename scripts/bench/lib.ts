import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { isPortFree, startEmbeddedPostgres } from "../lib/embedded-postgres";

/** Shared pieces of the benchmarks: a throwaway PostgreSQL, percentiles, reporting. */

export async function freePort(from: number): Promise<number> {
  for (let port = from; port < from + 500; port++) if (await isPortFree(port)) return port;
  throw new Error(`no free port from ${from}`);
}

/** BENCH_DATABASE_URL (a server the bench may create databases on), else an embedded one. */
export async function benchDatabase(
  name: string,
  options: { settings?: Record<string, string> } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const database = `bench_${name}_${process.pid}`;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let dataDir: string | null = null;
  let stopServer = async () => {};
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "skillrun-bench-"));
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "pg"),
      port: await freePort(56_000),
      fast: true,
      settings: options.settings,
    });
    serverUrl = server.urlFor("postgres");
    stopServer = server.stop;
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${database}"`);
  const url = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();
  return {
    url,
    close: async () => {
      await admin.unsafe(`drop database if exists "${database}" with (force)`);
      await admin.end();
      await stopServer();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

export function printTable(title: string, rows: Record<string, string | number>[]) {
  console.log(`\n${title}`);
  console.table(rows);
}

export async function writeResult(name: string, result: unknown) {
  const dir = path.resolve("bench/results");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  await writeFile(
    file,
    `${JSON.stringify({ machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, ...(result as object) }, null, 2)}\n`,
  );
  console.log(`\nresults → ${path.relative(process.cwd(), file)}`);
}
