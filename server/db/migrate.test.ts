import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { getTableName, is } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { PgTable } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase, MIGRATIONS_FOLDER } from "./migrate";
import * as schema from "./schema";

const serverUrl = inject("databaseServerUrl");
const emptyDatabase = `migrate_${process.pid}_${Date.now()}`;
const olderDatabase = `migrate_older_${process.pid}_${Date.now()}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const urlOf = (database: string) =>
  Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${emptyDatabase}" with (force)`);
  await admin.unsafe(`drop database if exists "${olderDatabase}" with (force)`);
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

  it("fill in the summary order and title input of skills stored before those columns", async () => {
    // The migrations up to the one before the columns, then a skill, then the rest.
    const older = await mkdtemp(path.join(os.tmpdir(), "skillrun-older-"));
    const sql = postgres(urlOf(olderDatabase), { max: 1, onnotice: () => {} });
    try {
      await cp(MIGRATIONS_FOLDER, older, { recursive: true });
      const journalPath = path.join(older, "meta", "_journal.json");
      const journal = JSON.parse(await readFile(journalPath, "utf8")) as {
        entries: { tag: string }[];
      };
      const added = journal.entries.findIndex(
        (entry) => entry.tag === "0009_skill_summary_order_and_title",
      );
      expect(added).toBeGreaterThan(0);
      await writeFile(
        journalPath,
        JSON.stringify({ ...journal, entries: journal.entries.slice(0, added) }),
      );
      await admin.unsafe(`create database "${olderDatabase}"`);
      await migrate(drizzle(sql), { migrationsFolder: older });

      const inputsSchema = {
        type: "object",
        required: ["topic", "severity", "meetingDate"],
        properties: {
          notes: { type: "string", title: "Notes" },
          severity: { type: "string", title: "Severity", enum: ["SEV1", "SEV2"] },
          meetingDate: { type: "string", title: "Date", format: "date" },
          topic: { type: "string", title: "Topic" },
          count: { type: "integer", title: "Count" },
        },
      };
      const insertSkill = (slug: string, schemaJson: unknown) => sql`
        insert into skills (origin, slug, name, description, version_hash, inputs_schema, instructions)
        values ('builtin', ${slug}, 'S', 'd', 'v1', ${JSON.stringify(schemaJson)}::json, 'Do it.')`;
      await insertSkill("meeting", inputsSchema);
      await insertSkill("no-properties", { type: "object" });
      await insertSkill("nothing-required", {
        type: "object",
        properties: { b: { type: "string", title: "B" }, a: { type: "integer", title: "A" } },
      });
      await migrateDatabase(urlOf(olderDatabase));

      const skillRows = await sql<
        { slug: string; summary_order: string[]; title_input: string | null }[]
      >`
        select slug, summary_order, title_input from skills order by slug`;
      expect(skillRows).toEqual([
        {
          slug: "meeting",
          summary_order: ["severity", "meetingDate", "topic", "notes", "count"],
          title_input: "topic",
        },
        { slug: "no-properties", summary_order: [], title_input: null },
        { slug: "nothing-required", summary_order: ["b", "a"], title_input: null },
      ]);
    } finally {
      await sql.end();
      await rm(older, { recursive: true, force: true });
    }
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
          "node_modules/drizzle-kit/bin.cjs",
          "generate",
          "--dialect",
          "postgresql",
          "--schema",
          "./server/db/schema/index.ts",
          "--casing",
          "snake_case",
          "--out",
          path.relative(process.cwd(), out),
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
