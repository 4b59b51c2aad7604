import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { firstFreePort, startEmbeddedPostgres } from "../lib/embedded-postgres";

/** Shared pieces of the benchmarks: a throwaway PostgreSQL, percentiles, reporting. */

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
      port: await firstFreePort(56_000),
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

/**
 * The persistent, seeded database of a volume bench (bench:history, bench:dashboard): an
 * embedded PostgreSQL under `.data/<dataDir>/` (the env variable `dataDirEnv` moves it), or the
 * database `name` on BENCH_DATABASE_URL's server. It holds `runs` demo runs (npm run seed:bulk's
 * seedBulkRuns) and is rebuilt when it holds another number, or with `fresh`. `seed` is null
 * when the runs were reused.
 */
export async function seededBenchDatabase(options: {
  name: string;
  dataDir: string;
  dataDirEnv: string;
  port: number;
  runs: number;
  fresh: boolean;
  deliverables?: "short" | "realistic";
}) {
  const { randomBytes } = await import("node:crypto");
  const { ensureDatabase } = await import("../lib/embedded-postgres");
  const { countDemoRuns, prepareDemoDatabase, seedBulkRuns } = await import("../seed-bulk");
  const { keyringOf } = await import("@/server/crypto/secrets");
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopServer = async () => {};
  if (!serverUrl) {
    const dataDir = path.resolve(process.env[options.dataDirEnv] ?? options.dataDir, "postgres");
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await firstFreePort(options.port),
      fast: true,
    });
    serverUrl = server.urlFor("postgres");
    stopServer = server.stop;
    console.log(`PostgreSQL (embedded, persistent) in ${path.relative(process.cwd(), dataDir)}`);
  }
  const url = Object.assign(new URL(serverUrl), { pathname: `/${options.name}` }).toString();
  await ensureDatabase(serverUrl, options.name);
  // Pending migrations run here: on a database seeded before one, its backfill of every run.
  const migrationStarted = performance.now();
  await prepareDemoDatabase(url);
  const migrationSeconds = (performance.now() - migrationStarted) / 1000;
  console.log(`Migrations and demo data in ${migrationSeconds.toFixed(1)} s.`);
  const existingRuns = await countDemoRuns(url);
  if (existingRuns === options.runs && !options.fresh) {
    console.log(`Reusing ${existingRuns.toLocaleString("en")} seeded runs (--fresh to rebuild).`);
    return { url, stopServer, migrationSeconds, seed: null };
  }
  if (existingRuns > 0 || options.fresh) {
    console.log(
      `Rebuilding ${options.name} (it holds ${existingRuns.toLocaleString("en")} runs, ${options.runs.toLocaleString("en")} wanted).`,
    );
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists "${options.name}" with (force)`);
    await admin.end();
    await ensureDatabase(serverUrl, options.name);
  }
  console.log(`Seeding ${options.runs.toLocaleString("en")} runs…`);
  // A throwaway database: its webhooks' signing secrets are sealed with a throwaway key.
  const keyring = keyringOf(randomBytes(32).toString("base64"));
  const seed = await seedBulkRuns(url, {
    runs: options.runs,
    keyring,
    deliverables: options.deliverables,
    log: (line) => console.log(line),
  });
  console.log(
    `Seeded in ${seed.seconds.toFixed(1)} s (indexes ${seed.indexSeconds.toFixed(1)} s of it; ${Math.round(seed.rowsPerSecond).toLocaleString("en")} rows/s), vacuum + analyze ${seed.analyzeSeconds.toFixed(1)} s.`,
  );
  return { url, stopServer, migrationSeconds, seed };
}
