/**
 * `npm run bench:bulk [-- --runs 10000]` — "Cancel all matching" at volume, end to end:
 * startBulkOperation → runs/bulk-operation.requested → the embedded engine (in process) →
 * process-bulk-operation over HTTP, one step per batch → PostgreSQL.
 *
 * `--runs` queued runs carry the filter's tag; as many finished runs carry it too (the filter
 * matches them, the cancel must skip them) and as many queued runs do not (never touched).
 * Times the click to the operation's completion, then checks from the rows: 0 matching runs
 * missed (still queued), 0 cancelled twice (two `cancelled` timeline events), 0 others touched.
 * Goal (issue 21): ≤ 30 s for 10,000 runs. Printed, never asserted.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { benchDatabase, printTable, writeResult } from "./lib";

const { values: args } = parseArgs({ options: { runs: { type: "string", default: "10000" } } });
const RUNS = Number(args.runs.replaceAll("_", ""));
const GOAL_SECONDS = 30;
const TAG = "bench:bulk";

const { startEngine } = await import("@/inngest/engine");
const { createProcessBulkOperationFunction } =
  await import("@/inngest/functions/process-bulk-operation");
const { createDatabase } = await import("@/server/db/client");
const { migrateDatabase } = await import("@/server/db/migrate");
const { startBulkOperation } = await import("@/server/services/runs/bulk-operations");
const { inputsColumnsOf } = await import("@/server/services/catalog/skills");
const { bulkOperations, skills, tenantSettings, tenants, users } =
  await import("@/server/db/schema");

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
  console.log(
    `Seeding ${RUNS.toLocaleString("en")} matching queued runs and ${(2 * RUNS).toLocaleString("en")} others…`,
  );
  const seed = (status: string, tags: string) =>
    db.execute(`
      with created as (
        insert into skill_runs (tenant_id, skill_id, skill_version, source, inputs, status, tags, created_at)
        select '${tenantId}', '${skill!.id}', 'v1', 'api', '{}', '${status}', ${tags},
          now() - make_interval(secs => n)
        from generate_series(1, ${RUNS}) as n
        returning id, tenant_id
      )
      insert into run_events (run_id, tenant_id, type) select id, tenant_id, 'queued' from created`);
  await seed("queued", `array['${TAG}']`);
  await seed("complete", `array['${TAG}']`);
  await seed("queued", `array[]::text[]`);
  await db.execute("vacuum (analyze) skill_runs");

  const clicked = performance.now();
  const { operation } = await startBulkOperation(
    { db, dispatcher: client },
    { tenantId, userId },
    { kind: "cancel", filters: { tags: [TAG] }, idempotencyKey: "bench", confirmedTotal: RUNS },
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

  const [check] = await db.execute<{
    missed: number;
    double_cancelled: number;
    cancelled: number;
    others_touched: number;
  }>(`
    select
      (select count(*)::int from skill_runs where tenant_id = '${tenantId}' and '${TAG}' = any(tags) and status = 'queued') as missed,
      (select count(*)::int from (select run_id from run_events where tenant_id = '${tenantId}' and type = 'cancelled'
         group by run_id having count(*) > 1) as twice) as double_cancelled,
      (select count(*)::int from run_events where tenant_id = '${tenantId}' and type = 'cancelled') as cancelled,
      (select count(*)::int from skill_runs where tenant_id = '${tenantId}' and not ('${TAG}' = any(tags)) and status <> 'queued') as others_touched`);
  const result = {
    runs: RUNS,
    status: current.status,
    seconds: Number(seconds.toFixed(1)),
    runsPerSecond: Math.round(RUNS / seconds),
    done: current.done,
    skipped: current.skipped,
    failed: current.failed,
    cancelEvents: check?.cancelled ?? -1,
    missed: check?.missed ?? -1,
    doubleCancelled: check?.double_cancelled ?? -1,
    othersTouched: check?.others_touched ?? -1,
  };
  printTable(`Bulk cancel of ${RUNS.toLocaleString("en")} matching runs`, [
    {
      status: result.status,
      time: `${result.seconds} s`,
      "runs/s": result.runsPerSecond,
      cancelled: result.done,
      skipped: result.skipped,
      missed: result.missed,
      "cancelled twice": result.doubleCancelled,
      "others touched": result.othersTouched,
    },
  ]);
  const correct =
    result.status === "completed" &&
    result.missed === 0 &&
    result.doubleCancelled === 0 &&
    result.othersTouched === 0 &&
    result.cancelEvents === RUNS;
  console.log(
    `${correct ? "Correct" : "WRONG"}: ${result.cancelEvents} cancel events for ${RUNS} runs. ` +
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
