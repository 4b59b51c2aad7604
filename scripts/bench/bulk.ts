/**
 * `npm run bench:bulk [-- --runs 10000] [--kind cancel|rerun]` — "Cancel all matching" or
 * "Re-run all matching" at volume, end to end: startBulkOperation →
 * runs/bulk-operation.requested → the embedded engine (in process) → process-bulk-operation
 * over HTTP, one step per batch → PostgreSQL (a re-run's new runs are sent to the engine too;
 * no function takes them here).
 *
 * Cancel: `--runs` queued runs carry the filter's tag; as many finished runs carry it too (the
 * filter matches them, the cancel must skip them) and as many queued runs do not (never
 * touched). Checks from the rows: 0 matching runs missed (still queued), 0 cancelled twice
 * (two `cancelled` timeline events), 0 others touched.
 * Re-run: `--runs` finished runs carry the tag; as many queued runs carry it too (a re-run
 * takes only ended runs) and as many finished runs do not. Checks: every matching run has
 * exactly one re-run (0 missed, 0 twice), and no other run has one.
 * Times the click to the operation's completion. Goal (issue 21): ≤ 30 s for 10,000 runs
 * (set for the cancel). Printed, never asserted.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { benchDatabase, printTable, writeResult } from "./lib";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "10000" },
    kind: { type: "string", default: "cancel" },
  },
});
const RUNS = Number(args.runs.replaceAll("_", ""));
if (args.kind !== "cancel" && args.kind !== "rerun") {
  console.error("usage: npm run bench:bulk -- [--runs N] [--kind cancel|rerun]");
  process.exit(2);
}
const KIND: "cancel" | "rerun" = args.kind;
const GOAL_SECONDS = 30;
const TAG = "bench:bulk";

const { startEngine } = await import("@/inngest/engine");
const { createProcessBulkOperationFunction } =
  await import("@/inngest/functions/process-bulk-operation");
const { createDatabase } = await import("@/server/db/client");
const { migrateDatabase } = await import("@/server/db/migrate");
const { startBulkOperation } = await import("@/server/services/runs/bulk-operations");
const { inputsColumnsOf } = await import("@/server/services/catalog/skills");
const {
  agentSkills,
  agentTemplates,
  agents,
  bulkOperations,
  skills,
  tenantSettings,
  tenants,
  users,
} = await import("@/server/db/schema");

const database = await benchDatabase("bulk");
await migrateDatabase(database.url);
const { db, close: closeDb } = createDatabase(database.url, { max: 10 });
const engine = await startEngine({
  port: 0,
  databaseUrl: database.url,
  log: () => {},
  pollIntervalSeconds: 0,
});
const client = new Inngest({ id: "skillrun-bench-bulk", isDev: true, baseUrl: engine.url });
const app = http.createServer(
  serve({
    client,
    functions: [createProcessBulkOperationFunction({ client, db: () => db, dispatcher: client })],
  }),
);
await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
try {
  await engine.syncApp(`http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`);
  const tenantId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  await db.insert(tenants).values({ id: tenantId, name: "Bench", slug: "bench" });
  await db.insert(tenantSettings).values({ tenantId });
  await db
    .insert(users)
    .values({ id: userId, email: "bench@example.test", name: "Bench", emailVerified: true });
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId,
      origin: "tenant",
      slug: "bench",
      name: "Bench",
      description: "d",
      versionHash: "v1",
      ...inputsColumnsOf({ type: "object", properties: {} }),
      instructions: "Answer.",
    })
    .returning({ id: skills.id });
  // A re-run starts its runs on the tenant's default agent, which must have the skill.
  const [template] = await db
    .insert(agentTemplates)
    .values({ tenantId, name: "Bench", systemPrompt: "Answer." })
    .returning({ id: agentTemplates.id });
  const [agent] = await db
    .insert(agents)
    .values({ tenantId, name: "Bench", templateId: template!.id, isDefault: true })
    .returning({ id: agents.id });
  await db.insert(agentSkills).values({ agentId: agent!.id, skillId: skill!.id });
  const [acted, unacted] = KIND === "cancel" ? ["queued", "complete"] : ["complete", "queued"];
  console.log(
    `Seeding ${RUNS.toLocaleString("en")} matching ${acted} runs and ${(2 * RUNS).toLocaleString("en")} others…`,
  );
  const seed = (status: string, tags: string) =>
    db.execute(`
      with created as (
        insert into skill_runs (tenant_id, skill_id, skill_version, source, inputs, status, tags, created_at, finished_at)
        select '${tenantId}', '${skill!.id}', 'v1', 'api', '{}', '${status}', ${tags},
          now() - make_interval(secs => n),
          -- A re-run takes only runs that had ended by the click, by their finished_at.
          case when '${status}' = 'complete' then now() - make_interval(secs => n) end
        from generate_series(1, ${RUNS}) as n
        returning id, tenant_id
      )
      insert into run_events (run_id, tenant_id, type) select id, tenant_id, 'queued' from created`);
  await seed(acted, `array['${TAG}']`);
  await seed(unacted, `array['${TAG}']`);
  await seed(acted, `array[]::text[]`);
  await db.execute("vacuum (analyze) skill_runs");

  const clicked = performance.now();
  const { operation } = await startBulkOperation(
    { db, dispatcher: client },
    { tenantId, userId },
    { kind: KIND, filters: { tags: [TAG] }, idempotencyKey: "bench", confirmedTotal: RUNS },
    { actor: { type: "user", id: userId }, origin: null },
  );
  let current = operation;
  while (current.status === "queued" || current.status === "running") {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [row] = await db
      .select({
        status: bulkOperations.status,
        done: bulkOperations.done,
        skipped: bulkOperations.skipped,
        failed: bulkOperations.failed,
      })
      .from(bulkOperations)
      .where(eq(bulkOperations.id, operation.id));
    if (!row) throw new Error("the bulk operation's row is gone");
    current = { ...current, ...row };
  }
  const seconds = (performance.now() - clicked) / 1000;

  // What was acted on, read back from the rows: the original runs are the seeded (`api`) ones.
  const tagged = `'${TAG}' = any(tags)`;
  const checks = {
    cancel: `
      select
        (select count(*)::int from run_events where tenant_id = '${tenantId}' and type = 'cancelled') as acted,
        (select count(*)::int from skill_runs where tenant_id = '${tenantId}' and ${tagged} and status = 'queued') as missed,
        (select count(*)::int from (select run_id from run_events where tenant_id = '${tenantId}' and type = 'cancelled'
           group by run_id having count(*) > 1) as twice) as twice,
        (select count(*)::int from skill_runs where tenant_id = '${tenantId}' and not ${tagged} and status <> 'queued') as others_touched`,
    rerun: `
      select
        (select count(*)::int from skill_runs where tenant_id = '${tenantId}' and source = 'rerun') as acted,
        (select count(*)::int from skill_runs original where tenant_id = '${tenantId}' and source = 'api'
           and ${tagged} and status = 'complete'
           and not exists (select 1 from skill_runs child where child.parent_run_id = original.id)) as missed,
        (select count(*)::int from (select parent_run_id from skill_runs where tenant_id = '${tenantId}' and source = 'rerun'
           group by parent_run_id having count(*) > 1) as twice) as twice,
        (select count(*)::int from skill_runs child join skill_runs original on original.id = child.parent_run_id
           where child.tenant_id = '${tenantId}' and not ('${TAG}' = any(original.tags) and original.status = 'complete')) as others_touched`,
  };
  const [check] = await db.execute<{
    acted: number;
    missed: number;
    twice: number;
    others_touched: number;
  }>(checks[KIND]);
  const result = {
    kind: KIND,
    runs: RUNS,
    status: current.status,
    seconds: Number(seconds.toFixed(1)),
    runsPerSecond: Math.round(RUNS / seconds),
    done: current.done,
    skipped: current.skipped,
    failed: current.failed,
    /** Cancel: `cancelled` timeline events; re-run: runs created by the re-run. */
    acted: check?.acted ?? -1,
    missed: check?.missed ?? -1,
    twice: check?.twice ?? -1,
    othersTouched: check?.others_touched ?? -1,
  };
  const verb = KIND === "cancel" ? "cancelled" : "re-run";
  printTable(
    `Bulk ${KIND === "cancel" ? "cancel" : "re-run"} of ${RUNS.toLocaleString("en")} matching runs`,
    [
      {
        status: result.status,
        time: `${result.seconds} s`,
        "runs/s": result.runsPerSecond,
        [verb]: result.done,
        skipped: result.skipped,
        failed: result.failed,
        missed: result.missed,
        [`${verb} twice`]: result.twice,
        "others touched": result.othersTouched,
      },
    ],
  );
  const correct =
    result.status === "completed" &&
    result.missed === 0 &&
    result.twice === 0 &&
    result.othersTouched === 0 &&
    result.acted === RUNS;
  console.log(
    `${correct ? "Correct" : "WRONG"}: ${result.acted} runs ${verb} of ${RUNS}. ` +
      (seconds <= GOAL_SECONDS
        ? `Goal met: ${result.seconds} s ≤ ${GOAL_SECONDS} s.`
        : `Goal missed: ${result.seconds} s > ${GOAL_SECONDS} s.`),
  );
  await writeResult("bulk", result);
  if (!correct) process.exitCode = 1;
} finally {
  app.closeAllConnections();
  app.close();
  await engine.close();
  await closeDb();
  await database.close();
}
