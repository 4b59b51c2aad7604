import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../scripts/lib/embedded-postgres";
import { migrateDatabase } from "../server/db/migrate";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL of the test server's maintenance database, for creating per-file databases. */
    databaseServerUrl: string;
    /** A migrated database each test file clones (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * One PostgreSQL for the whole run — TEST_DATABASE_URL when given, otherwise a throwaway
 * embedded server — and one migrated template database that every test file clones.
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  let dataDir: string | null = null;
  let stopServer = async () => {};
  let serverUrl: string;

  if (external) {
    serverUrl = withDatabase(external, "postgres");
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "skillrun-test-pg-"));
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
    serverUrl = server.urlFor("postgres");
    stopServer = server.stop;
  }

  const templateDatabase = `skillrun_template_${process.pid}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${templateDatabase}"`);
  await admin.unsafe(`create database "${templateDatabase}"`);
  await migrateDatabase(withDatabase(serverUrl, templateDatabase));

  project.provide("databaseServerUrl", serverUrl);
  project.provide("templateDatabase", templateDatabase);

  return async () => {
    await admin
      .unsafe(`drop database if exists "${templateDatabase}" with (force)`)
      .catch(() => {});
    await admin.end({ timeout: 5 });
    await stopServer();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
