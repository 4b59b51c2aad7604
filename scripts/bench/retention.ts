/**
 * `npm run bench:retention [-- --runs 1000000] [--export 100000]` — the retention sweep and the
 * history export at volume, on a throwaway database (benchDatabase).
 *
 * Sweep: `--runs` runs across the demo tenants over the past year (seed-bulk), each with one
 * timeline event; a policy of 1 day for runs expires nearly all of them. The sweep's own batch
 * statements (deleteExpiredRunsBatch, clearExpiredDeliverablesBatch; SWEEP_BATCHES.batchSize
 * rows each, or --batch) run until nothing is left, each timed: a statement holds its row locks
 * until it ends, so the longest statement is the longest lock. Goal: none over 100 ms.
 *
 * Export: before the sweep, the newest `--export` runs of Acme streamed as CSV through
 * runExportStream (what both export routes return), read and discarded as a client would,
 * with the process's RSS sampled every 20 ms. Goal: flat memory (the peak does not grow with
 * the rows, compared at 10% and at the end).
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { benchDatabase, ms, percentile, printTable, writeResult } from "./lib";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "1000000" },
    export: { type: "string", default: "100000" },
    batch: { type: "string" },
  },
});
const RUNS = Number(args.runs.replaceAll("_", ""));
const EXPORT_ROWS = Number(args.export.replaceAll("_", ""));
const { SWEEP_BATCHES, clearExpiredDeliverablesBatch, deleteExpiredRunsBatch, retentionCutoffs } =
  await import("@/server/services/runs/retention");
const BATCH = Number(args.batch ?? SWEEP_BATCHES.batchSize);
const GOAL_STATEMENT_MS = 100;

const { keyringOf } = await import("@/server/crypto/secrets");
const { createDatabase } = await import("@/server/db/client");
const { DEMO_TENANT_SLUG } = await import("@/server/db/demo-accounts");
const { seedBulkRuns } = await import("../seed-bulk");
const { runExportStream } = await import("@/server/services/runs/run-export");

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const bench = await benchDatabase("retention");
const sql = postgres(bench.url, { max: 1, onnotice: () => {} });
try {
  console.log(`Seeding ${RUNS.toLocaleString("en")} runs…`);
  // A throwaway database: its webhooks' signing secrets are sealed with a throwaway key.
  const keyring = keyringOf(randomBytes(32).toString("base64"));
  const seed = await seedBulkRuns(bench.url, { runs: RUNS, keyring });
  console.log(`Seeded in ${seed.seconds.toFixed(1)} s; one timeline event a run…`);
  await sql`insert into run_events (run_id, tenant_id, type, at)
            select id, tenant_id, status::text, created_at from skill_runs`;
  // Retention deletes only runs the dashboard's rollup has counted; the bench times the
  // deletion, not the fold, so the seeded runs are marked counted directly.
  await sql`update skill_runs set rolled_up = true where status in ('complete', 'failed', 'cancelled')`;
  await sql`vacuum (analyze) run_events`;
  await sql`vacuum (analyze) skill_runs`;
  const { db, close } = createDatabase(bench.url, { max: 2 });
  const tenants = await sql<{ id: string; slug: string }[]>`
    select distinct t.id, t.slug from tenants t join skill_runs r on r.tenant_id = t.id`;

  // 1. Export: the newest EXPORT_ROWS runs of Acme, by a created_at bound.
  const acme = tenants.find((tenant) => tenant.slug === DEMO_TENANT_SLUG);
  if (!acme) throw new Error("the Acme tenant has no runs");
  const [bound] = await sql<{ created_at: Date }[]>`
    select created_at from skill_runs where tenant_id = ${acme.id}
    order by created_at desc, id desc offset ${EXPORT_ROWS - 1} limit 1`;
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let peakAtTenth = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const exportStarted = performance.now();
  let lines = -1;
  let bytes = 0;
  const reader = runExportStream(
    db,
    acme.id,
    { createdAfter: bound?.created_at },
    "csv",
  ).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (const byte of value) if (byte === 10) lines++;
    if (lines <= EXPORT_ROWS / 10) peakAtTenth = Math.max(peakAtTenth, process.memoryUsage().rss);
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const exportMs = performance.now() - exportStarted;
  const exported = {
    rows: lines,
    megabytes: Number((bytes / 2 ** 20).toFixed(1)),
    seconds: Number((exportMs / 1000).toFixed(1)),
    rowsPerSecond: Math.round(lines / (exportMs / 1000)),
    rssBaselineMiB: Number((baseline / 2 ** 20).toFixed(1)),
    rssPeakAtTenthMiB: Number((peakAtTenth / 2 ** 20).toFixed(1)),
    rssPeakMiB: Number((peak / 2 ** 20).toFixed(1)),
  };
  printTable(`Export: ${lines.toLocaleString("en")} runs as CSV`, [
    {
      rows: lines,
      size: `${exported.megabytes} MiB`,
      time: `${exported.seconds} s`,
      "rows/s": exported.rowsPerSecond,
      "RSS before": mib(baseline),
      "RSS peak, first 10%": mib(peakAtTenth),
      "RSS peak": mib(peak),
    },
  ]);

  // 2. The sweep: every tenant, runs kept 1 day and deliverables 0 (cleared: none left after).
  const durations: number[] = [];
  let deletedRuns = 0;
  let deletedEvents = 0;
  let cleared = 0;
  const sweepStarted = performance.now();
  for (const tenant of tenants) {
    const cutoffs = await retentionCutoffs(db, { runDays: 1, deliverableDays: null });
    const runsBefore = cutoffs.runsBefore ?? new Date();
    for (;;) {
      const started = performance.now();
      const deleted = await deleteExpiredRunsBatch(db, tenant.id, runsBefore, BATCH);
      durations.push(performance.now() - started);
      deletedRuns += deleted.runs;
      deletedEvents += deleted.events;
      if (deleted.runs < BATCH) break;
      if (durations.length % 200 === 0)
        console.log(`  ${deletedRuns.toLocaleString("en")} runs deleted`);
    }
  }
  const deleteSeconds = (performance.now() - sweepStarted) / 1000;
  // Deliverables of what is left (the last day's runs): the clearing statement's cost.
  const clearDurations: number[] = [];
  for (const tenant of tenants) {
    const cutoffs = { runsBefore: null, deliverablesBefore: new Date() };
    for (;;) {
      const started = performance.now();
      const n = await clearExpiredDeliverablesBatch(db, tenant.id, cutoffs, BATCH);
      clearDurations.push(performance.now() - started);
      cleared += n;
      if (n < BATCH) break;
    }
  }
  const longest = Math.max(...durations);
  const overGoal = durations.filter((duration) => duration > GOAL_STATEMENT_MS);
  const sweep = {
    runsDeleted: deletedRuns,
    eventsDeleted: deletedEvents,
    deliverablesCleared: cleared,
    statements: durations.length,
    batchSize: BATCH,
    totalSeconds: Number(deleteSeconds.toFixed(1)),
    runsPerSecond: Math.round(deletedRuns / deleteSeconds),
    statementP50Ms: Number(percentile(durations, 50).toFixed(1)),
    statementP95Ms: Number(percentile(durations, 95).toFixed(1)),
    statementP99Ms: Number(percentile(durations, 99).toFixed(1)),
    longestStatementMs: Number(longest.toFixed(1)),
    /** Statements over the goal, and the five longest (one outlier under load is not a shape). */
    statementsOverGoal: overGoal.length,
    longestFiveMs: [...durations]
      .sort((a, b) => b - a)
      .slice(0, 5)
      .map((duration) => Number(duration.toFixed(1))),
    longestClearStatementMs: Number(Math.max(0, ...clearDurations).toFixed(1)),
  };
  printTable(`Retention sweep: ${deletedRuns.toLocaleString("en")} runs deleted`, [
    {
      runs: deletedRuns,
      events: deletedEvents,
      statements: durations.length,
      total: `${sweep.totalSeconds} s`,
      "runs/s": sweep.runsPerSecond,
      p50: ms(sweep.statementP50Ms),
      p95: ms(sweep.statementP95Ms),
      p99: ms(sweep.statementP99Ms),
      longest: ms(longest),
      [`over ${GOAL_STATEMENT_MS} ms`]: overGoal.length,
      "deliverables cleared": cleared,
      "longest clear": ms(sweep.longestClearStatementMs),
    },
  ]);
  console.log(
    longest <= GOAL_STATEMENT_MS
      ? `Goal met: no statement held its locks over ${GOAL_STATEMENT_MS} ms.`
      : `Goal missed: the longest statement took ${ms(longest)} (> ${GOAL_STATEMENT_MS} ms); ` +
          `${overGoal.length} of ${durations.length} over it; the five longest ${sweep.longestFiveMs.join(", ")} ms.`,
  );
  await writeResult("retention", { runs: RUNS, export: exported, sweep });
  await close();
} finally {
  await sql.end({ timeout: 5 });
  await bench.close();
}
