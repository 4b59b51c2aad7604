import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase } from "./migrate";
import * as schema from "./schema";

const serverUrl = inject("databaseServerUrl");
const emptyDatabase = `migrate_${process.pid}_${Date.now()}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const urlOf = (database: string) => Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${emptyDatabase}" with (force)`);
  await admin.end();
});

const schemaTables = Object.values(schema as Record<string, unknown>)
  .filter((value): value is PgTable => is(value, PgTable))
  .map((table) => getTableName(table))
  .sort();

describe("migrations", () => {
  it("apply to an empty database, create every table of the schema, and re-apply as a no-op", async () => {
    await admin.unsafe(`create database "${emptyDatabase}"`);
    await migrateDatabase(urlOf(emptyDatabase));
    await migrateDatabase(urlOf(emptyDatabase));

    const sql = postgres(urlOf(emptyDatabase), { max: 1 });
    const rows = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by table_name`;
    const [{ count } = { count: 0 }] = await sql<{ count: number }[]>`
      select count(*)::int as count from drizzle.__drizzle_migrations`;
    await sql.end();

    expect(rows.map((row) => row.table_name)).toEqual(schemaTables);
    expect(count).toBe((await readdir("drizzle")).filter((file) => file.endsWith(".sql")).length);
  });

  it("match the schema: drizzle-kit generates nothing new from a clean tree", async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), "skillrun-drift-"));
    try {
      await cp("drizzle", out, { recursive: true });
      const before = (await readdir(out)).sort();
      // drizzle-kit prefixes --out with "./" and exits 0 on errors, so pass a relative path
      // and look for its own verdict rather than trusting the exit code.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          "node_modules/drizzle-kit/bin.cjs", "generate",
          "--dialect", "postgresql",
          "--schema", "./server/db/schema/index.ts",
          "--casing", "snake_case",
          "--out", path.relative(process.cwd(), out),
        ],
        { timeout: 60_000 },
      );
      expect(stdout).toContain("No schema changes");
      expect((await readdir(out)).sort()).toEqual(before);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
