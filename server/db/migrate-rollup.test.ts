/**
 * The dashboard rollup's migration on a database that already holds runs: its backfill counts
 * every finished run exactly as the fold would, and leaves the unfinished ones to the fold.
 */
import { randomUUID } from "node:crypto";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, inject, it } from "vitest";
import { foldFinishedRuns } from "@/server/services/runs/run-rollup";
import { createDatabase } from "./client";
import { migrateDatabase, MIGRATIONS_FOLDER } from "./migrate";

const serverUrl = inject("databaseServerUrl");
const database = `migrate_rollup_${process.pid}_${Date.now()}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const url = Object.assign(new URL(serverUrl), { pathname: `/${database}` }).toString();

afterAll(async () => {
  await admin.unsafe(`drop database if exists "${database}" with (force)`);
  await admin.end();
});

describe("the dashboard rollup's migration", () => {
  it("backfills the finished runs as the fold counts them, and leaves the unfinished unfolded", async () => {
    const older = await mkdtemp(path.join(os.tmpdir(), "skillrun-rollup-"));
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    const { db, close } = createDatabase(url, { max: 2 });
    try {
      await cp(MIGRATIONS_FOLDER, older, { recursive: true });
      const journalPath = path.join(older, "meta", "_journal.json");
      const journal = JSON.parse(await readFile(journalPath, "utf8")) as {
        entries: { tag: string }[];
      };
      const added = journal.entries.findIndex((entry) => entry.tag.endsWith("_dashboard_rollup"));
      expect(added).toBeGreaterThan(0);
      await writeFile(
        journalPath,
        JSON.stringify({ ...journal, entries: journal.entries.slice(0, added) }),
      );
      await admin.unsafe(`create database "${database}"`);
      await migrate(drizzle(sql), { migrationsFolder: older });

      // Written as the schema stood before the rollup (the fixtures write today's schema).
      const tenant = { id: randomUUID() };
      const skill = { id: randomUUID() };
      const agent = { id: randomUUID() };
      await sql`insert into tenants (id, name, slug) values (${tenant.id}, 'Rollup', ${`t-${tenant.id.slice(0, 12)}`})`;
      await sql`
        insert into skills (id, tenant_id, origin, slug, name, description, version_hash, inputs_schema, summary_order, instructions)
        values (${skill.id}, ${tenant.id}, 'tenant', 'skill-rollup', 'Skill', 'A test skill.', 'v1', '{"type":"object","properties":{}}', '{}', 'Do it.')`;
      const [template] = await sql<{ id: string }[]>`
        insert into agent_templates (tenant_id, name, system_prompt) values (${tenant.id}, 'Template', 'You are careful.') returning id`;
      await sql`insert into agents (id, tenant_id, name, template_id) values (${agent.id}, ${tenant.id}, 'Agent', ${template?.id ?? null})`;
      // 60 runs over three days: every status, with and without agent, model, start and usage.
      await sql`
        insert into skill_runs (tenant_id, skill_id, skill_version, agent_id, source, inputs, status,
          failure_code, created_at, started_at, finished_at, input_tokens, output_tokens, cost_usd, config_snapshot)
        select ${tenant.id}, ${skill.id}, 'v1', case when k % 5 = 0 then null else ${agent.id}::uuid end,
          'manual', '{}'::jsonb, s.status::run_status,
          case when s.status = 'failed' then 'timeout'::failure_code end,
          c.at, case when s.status <> 'queued' and k % 7 <> 0 then c.at + make_interval(secs => k * 0.37) end,
          case when s.status in ('complete', 'failed', 'cancelled') and k % 7 <> 0 then c.at + make_interval(secs => k * 3.1) end,
          case when s.status in ('complete', 'failed') then k * 10 end,
          case when s.status in ('complete', 'failed') then k end,
          case when s.status in ('complete', 'failed') then k * 0.0001 end,
          case when k % 3 = 0 then jsonb_build_object('model', 'openai:gpt-4.1-mini') end
        from generate_series(1, 60) as k
        cross join lateral (select (array['complete', 'complete', 'failed', 'cancelled', 'queued', 'running'])[1 + k % 6] as status) s
        cross join lateral (select timestamptz '2026-03-10T12:00:00Z' - make_interval(mins => k * 71) as at) c`;
      await migrateDatabase(url);

      const unfolded = await sql<{ status: string; runs: number }[]>`
        select status::text, count(*)::int as runs from skill_runs where not rolled_up group by 1 order by 1`;
      expect(unfolded).toEqual([
        { status: "queued", runs: 10 },
        { status: "running", runs: 10 },
      ]);
      const tables = async () => ({
        hourly:
          await sql`select * from run_rollups order by hour, skill_id, agent_id, model, status, failure_code`,
        daily: await sql`select * from run_duration_rollups order by scope_id, day, kind, bucket`,
      });
      const backfilled = await tables();
      expect(backfilled.hourly.reduce((sum, row) => sum + Number(row.runs), 0)).toBe(40);
      expect(backfilled.daily.length).toBeGreaterThan(0);

      // The fold from nothing gives the same rows.
      await sql`delete from run_rollups`;
      await sql`delete from run_duration_rollups`;
      await sql`update skill_runs set rolled_up = false`;
      expect(await foldFinishedRuns(db, 1_000)).toBe(40);
      expect(await tables()).toEqual(backfilled);
    } finally {
      await close();
      await sql.end();
      await rm(older, { recursive: true, force: true });
    }
  });
});
