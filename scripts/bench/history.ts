/**
 * `npm run bench:history [-- --runs 1000000] [--iterations 200] [--fresh]` — the run history
 * at volume: `runs.list` (first page, a page 10,000 rows deep, each single filter, a time
 * range) and `runs.get` through the tRPC HTTP handler (fetchRequestHandler with a real
 * Request carrying a real better-auth session cookie, built as app/api/trpc/[trpc]/route.ts
 * builds it), against the bare SQL of the same query (listRunsQuery / getRunQuery's
 * `.toSQL()`, run on a plain postgres client) in the same run, interleaved. Each list query
 * is EXPLAINed (ANALYZE, BUFFERS); a Seq Scan on skill_runs fails the bench. Search cases
 * (a rare, a middling and a common word, a phrase, with other filters) are held to a p95 of
 * 50 ms, tag filters to the list's 30 ms; the HTTP side includes the page's snippets.
 *
 * Data: `--runs` runs across the demo tenants (npm run seed:bulk's seedBulkRuns). The
 * database persists between runs so a rerun skips the seed: an embedded PostgreSQL under
 * .data/bench-history/ (gitignored; BENCH_HISTORY_DATA_DIR moves it), or the database
 * `bench_history_v2` on BENCH_DATABASE_URL's server. Its completed runs have
 * deliverables of about 3.5 KB and every run has tags (seedBulkRuns' "realistic" mode). It is rebuilt when it holds a different
 * number of runs, or with --fresh.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { TENANT_HEADER } from "@/lib/tenant-header";
import type { RunCursor, RunListFilters } from "@/server/services/runs/run-queries";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { ms, percentile, printTable, seededBenchDatabase, writeResult } from "./lib";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string", default: "1000000" },
    iterations: { type: "string", default: "200" },
    warmup: { type: "string", default: "20" },
    fresh: { type: "boolean", default: false },
  },
});
const RUNS = Number(args.runs.replaceAll("_", ""));
const ITERATIONS = Number(args.iterations);
const WARMUP = Number(args.warmup);
const DEPTH = 10_000;
const GOAL_P95_MS = 30;
/** Search (with or without another filter) is held to 50 ms, the tag filter to the list's 30. */
const SEARCH_GOAL_P95_MS = 50;

// The bench signs in with the real auth; it needs a secret, never the app's own.
process.env.BETTER_AUTH_SECRET ||= randomBytes(32).toString("base64url");
process.env.BETTER_AUTH_URL ||= "http://localhost:3000";

const { fetchRequestHandler } = await import("@trpc/server/adapters/fetch");
const { default: superjson } = await import("superjson");
const { eq } = await import("drizzle-orm");
const { createAuth } = await import("@/server/auth/config");
const { createDatabase } = await import("@/server/db/client");
const { DEMO_ADMIN, DEMO_TENANT_SLUG } = await import("@/server/db/demo-accounts");
const { agents, skills, tenants } = await import("@/server/db/schema");
const { getRunQuery, listRunsQuery } = await import("@/server/services/runs/run-queries");
const { SEARCH_WORDS } = await import("../seed-bulk");
const { createTRPCContext } = await import("@/server/trpc/init");
const { appRouter } = await import("@/server/trpc/root");

if (
  !Number.isInteger(RUNS) ||
  RUNS < DEPTH + 1_000 ||
  !Number.isInteger(ITERATIONS) ||
  ITERATIONS < 1
) {
  console.error(
    `usage: npm run bench:history -- [--runs N ≥ ${DEPTH + 1_000}] [--iterations N] [--warmup N] [--fresh]`,
  );
  process.exit(2);
}

// 1. The database: reused when it already holds exactly RUNS runs. Its runs have deliverables
// of a few KB (the search reads them) and tags; `_v2` so an older seed without them is not reused.
const { url, stopServer, seed } = await seededBenchDatabase({
  name: "bench_history_v2",
  dataDir: ".data/bench-history",
  dataDirEnv: "BENCH_HISTORY_DATA_DIR",
  port: 57_000,
  runs: RUNS,
  fresh: args.fresh,
  deliverables: "realistic",
});

// 2. The app's side: its pool, the real auth, a signed-in Acme owner, the tRPC fetch handler.
const { db, close: closeDb } = createDatabase(url);
const bare = postgres(url, { max: 1, onnotice: () => {} });
const auth = createAuth(db);
const [acme] = await db
  .select({ id: tenants.id })
  .from(tenants)
  .where(eq(tenants.slug, DEMO_TENANT_SLUG));
if (!acme) throw new Error("the Acme tenant is missing");
const acmeId = acme.id;
const signedIn = await auth.api.signInEmail({
  body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
  asResponse: true,
});
if (!signedIn.ok)
  throw new Error(`sign-in failed with ${signedIn.status}: ${await signedIn.text()}`);
const cookie = signedIn.headers
  .getSetCookie()
  .map((header) => header.split(";")[0])
  .join("; ");
// The admin is also a viewer of Globex; make sure the session is on Acme.
await auth.api.setActiveOrganization({
  headers: new Headers({ cookie }),
  body: { organizationId: acme.id },
});
const session = await auth.api.getSession({ headers: new Headers({ cookie }) });
if (session?.session.activeOrganizationId !== acme.id)
  throw new Error("the bench session is not on the Acme tenant");

const dispatcher: RunDispatcher = { send: async () => ({ ids: [] }) };
function handle(request: Request) {
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTRPCContext({ headers: request.headers, db, auth, dispatcher }),
  });
}
/** One GET through the handler; returns the decoded `data`. */
async function callHttp(procedure: string, input: unknown): Promise<{ ms: number; data: unknown }> {
  const began = performance.now();
  const response = await handle(
    new Request(
      `http://localhost:3000/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
      { headers: { cookie, [TENANT_HEADER]: acmeId } },
    ),
  );
  const body = await response.text();
  const elapsed = performance.now() - began;
  if (!response.ok)
    throw new Error(`${procedure} answered ${response.status}: ${body.slice(0, 300)}`);
  const parsed = JSON.parse(body) as {
    result: { data: Parameters<typeof superjson.deserialize>[0] };
  };
  return { ms: elapsed, data: superjson.deserialize(parsed.result.data) };
}
/** The same SQL text and parameters drizzle sends, on a bare client, rows as arrays (as drizzle asks for them). */
async function callSql(query: { sql: string; params: unknown[] }) {
  const began = performance.now();
  const rows = await bare
    .unsafe(query.sql, query.params as postgres.ParameterOrJSON<never>[], { prepare: false })
    .values();
  return { ms: performance.now() - began, rows };
}

// 3. The cases.
const [someSkill] = await db
  .select({ id: skills.id })
  .from(skills)
  .where(eq(skills.slug, "release-notes"));
const acmeAgents = await db
  .select({ id: agents.id, isDefault: agents.isDefault })
  .from(agents)
  .where(eq(agents.tenantId, acme.id));
const otherAgent = acmeAgents.find((agent) => !agent.isDefault) ?? acmeAgents[0];
if (!someSkill || !otherAgent) throw new Error("the demo skills or agents are missing");

/** The cursor after DEPTH rows, found by walking the bare SQL page by page (200 rows each). */
async function cursorAtDepth(depth: number): Promise<RunCursor> {
  let cursor: RunCursor | null = null;
  for (let walked = 0; walked < depth; walked += 200) {
    const query: { sql: string; params: unknown[] } = listRunsQuery(db, acme!.id, {
      cursor,
      limit: 200,
    }).toSQL();
    const rows = await bare.unsafe(query.sql, query.params as never[], { prepare: false }).values();
    const createdAtColumn = rows.columns.findIndex((column) => column.name === "created_at");
    const last = rows[199];
    if (!last || createdAtColumn < 0) throw new Error(`the history ends before ${depth} rows`);
    cursor = { createdAt: last[createdAtColumn] as Date, id: last[0] as string };
  }
  return cursor!;
}
const deepCursor = await cursorAtDepth(DEPTH);
const now = Date.now();
const day = 24 * 3600 * 1000;
const listCases: {
  name: string;
  filters: RunListFilters;
  cursor?: RunCursor;
  goalMs?: number;
}[] = [
  { name: "first page", filters: {} },
  { name: `page ${DEPTH.toLocaleString("en")} rows deep`, filters: {}, cursor: deepCursor },
  { name: "status = failed", filters: { status: ["failed"] } },
  { name: "status = running (rare)", filters: { status: ["running"] } },
  { name: "skillId", filters: { skillId: someSkill.id } },
  { name: "agentId", filters: { agentId: otherAgent.id } },
  { name: "source = webhook", filters: { source: "webhook" } },
  { name: "failureCode = timeout", filters: { failureCode: "timeout" } },
  { name: "failureCode = dispatch_lost (rare)", filters: { failureCode: "dispatch_lost" } },
  {
    name: "created 90–60 days ago",
    filters: { createdAfter: new Date(now - 90 * day), createdBefore: new Date(now - 60 * day) },
  },
  ...(
    [
      ["search: rare word (a customer)", { search: SEARCH_WORDS.rare }],
      ["search: middling word (~3% of deliverables)", { search: SEARCH_WORDS.middling }],
      ["search: common word (most deliverables)", { search: SEARCH_WORDS.common }],
      ["search: absent word", { search: SEARCH_WORDS.absent }],
      [
        "search: phrase of two words",
        { search: `"${SEARCH_WORDS.common} ${SEARCH_WORDS.common}"` },
      ],
      ["search: order id", { search: "ORD-4242" }],
      [
        "search middling + status = complete",
        { search: SEARCH_WORDS.middling, status: ["complete"] },
      ],
      ["search middling + skillId", { search: SEARCH_WORDS.middling, skillId: someSkill.id }],
      [
        "search common + created 90–60 days ago",
        {
          search: SEARCH_WORDS.common,
          createdAfter: new Date(now - 90 * day),
          createdBefore: new Date(now - 60 * day),
        },
      ],
    ] as const
  ).map(([name, filters]) => ({
    name,
    filters: filters as RunListFilters,
    goalMs: SEARCH_GOAL_P95_MS,
  })),
  { name: "tag: customer (rare)", filters: { tags: [SEARCH_WORDS.customerTag] } },
  { name: "tag: env:prod (common)", filters: { tags: ["env:prod"] } },
  { name: "tags: env:staging + team:t3", filters: { tags: ["env:staging", "team:t3"] } },
  { name: "tag env:prod + status = failed", filters: { tags: ["env:prod"], status: ["failed"] } },
];
const LIMIT = 50; // the procedure's default page size

type Timed = {
  name: string;
  http: number[];
  sql: number[];
  rows: number;
  sqlText: { sql: string; params: unknown[] };
  list: boolean;
};
const results: Timed[] = [];

/** Each list case's p95 goal (HTTP), by case name. */
const goals = new Map<string, number>();
async function measure(
  name: string,
  goalMs: number | undefined,
  procedure: string,
  input: unknown,
  query: { sql: string; params: unknown[] },
  check: (data: unknown, rows: unknown[][]) => number,
  list: boolean,
) {
  // Correctness first: the handler answers with the rows the bare SQL returns.
  const first = await callHttp(procedure, input);
  const firstSql = await callSql(query);
  const rows = check(first.data, firstSql.rows);
  const timed: Timed = { name, http: [], sql: [], rows, sqlText: query, list };
  if (list) goals.set(name, goalMs ?? GOAL_P95_MS);
  for (let index = 0; index < WARMUP + ITERATIONS; index++) {
    const http = await callHttp(procedure, input);
    const sql = await callSql(query);
    if (index >= WARMUP) {
      timed.http.push(http.ms);
      timed.sql.push(sql.ms);
    }
  }
  results.push(timed);
}

for (const listCase of listCases) {
  const input = { ...listCase.filters, cursor: listCase.cursor, limit: LIMIT };
  const query = listRunsQuery(db, acme.id, {
    filters: listCase.filters,
    cursor: listCase.cursor,
    limit: LIMIT,
  }).toSQL();
  await measure(
    `runs.list: ${listCase.name}`,
    listCase.goalMs,
    "runs.list",
    input,
    query,
    (data, rows) => {
      const httpIds = (data as { runs: { id: string }[] }).runs.map((run) => run.id);
      const sqlIds = rows.slice(0, LIMIT).map((row) => row[0]);
      if (JSON.stringify(httpIds) !== JSON.stringify(sqlIds))
        throw new Error(`${listCase.name}: the handler and the bare SQL disagree`);
      if (listCase.cursor && httpIds.length && rows.length === 0)
        throw new Error(`${listCase.name}: empty page`);
      return httpIds.length;
    },
    true,
  );
}
const deepPage = results[1]!;
if (deepPage.rows !== LIMIT) throw new Error(`the deep page holds ${deepPage.rows} rows`);
const [sampleRun] = await bare.unsafe<{ id: string }[]>(
  `select id from skill_runs where tenant_id = $1 and status = 'complete' order by created_at desc offset 5000 limit 1`,
  [acme.id],
);
if (!sampleRun) throw new Error("no run to get");
await measure(
  "runs.get",
  undefined,
  "runs.get",
  { runId: sampleRun.id },
  getRunQuery(db, acme.id, sampleRun.id).toSQL(),
  (data, rows) => {
    if ((data as { id: string }).id !== sampleRun.id || rows.length !== 1)
      throw new Error("runs.get: the handler and the bare SQL disagree");
    return 1;
  },
  false,
);

// 4. Plans: EXPLAIN (ANALYZE, BUFFERS) of the exact SQL and parameters.
type Plan = {
  seqScans: string[];
  skillRunsAccess: string;
  sort: boolean;
  planningMs: number;
  executionMs: number;
  sharedHit: number;
  sharedRead: number;
  text: string;
};
async function explain(query: { sql: string; params: unknown[] }): Promise<Plan> {
  const lines = (
    await bare.unsafe<{ "QUERY PLAN": string }[]>(
      `explain (analyze, buffers) ${query.sql}`,
      query.params as never[],
      { prepare: false },
    )
  ).map((row) => row["QUERY PLAN"]);
  const text = lines.join("\n");
  const seqScans = [...text.matchAll(/Seq Scan on (\w+)/g)].map((match) => match[1]!);
  const access = [
    ...text.matchAll(
      /(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)(?: on (\w+))?/g,
    ),
  ]
    .filter((match) => match[3] === "skill_runs" || match[2]!.startsWith("skill_runs"))
    .map((match) => `${match[1]} ${match[2]}`);
  const buffers = lines.find((line) => /^\s*Buffers:/.test(line)) ?? "";
  return {
    seqScans,
    skillRunsAccess: access.join(", ") || "?",
    // A sort of the runs themselves (not the inputs summary's sort of one run's keys).
    sort: /Sort Key: skill_runs\./.test(text),
    planningMs: Number(/Planning Time: ([\d.]+) ms/.exec(text)?.[1] ?? Number.NaN),
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? Number.NaN),
    sharedHit: Number(/shared hit=(\d+)/.exec(buffers)?.[1] ?? 0),
    sharedRead: Number(/read=(\d+)/.exec(buffers)?.[1] ?? 0),
    text,
  };
}
const plans = new Map<string, Plan>();
// Twice: the first EXPLAIN on a connection also pays for loading the catalog caches.
for (const result of results) await explain(result.sqlText);
for (const result of results) plans.set(result.name, await explain(result.sqlText));
const tableRows = new Map(
  (
    await bare<
      { name: string; rows: number }[]
    >`select relname as name, greatest(reltuples, 0)::int as rows from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace`
  ).map((row) => [row.name, row.rows]),
);
/** "skills (6 rows)": a scan of a table this small is the planner's cheapest choice, not a missing index. */
const describeSeqScans = (tables: string[]) =>
  tables.length
    ? [...new Set(tables)]
        .map((table) => `${table} (${tableRows.get(table) ?? "?"} rows)`)
        .join(", ")
    : "none";

// 5. Report.
const summary = results.map((result) => {
  const plan = plans.get(result.name)!;
  const http = { p50: percentile(result.http, 50), p95: percentile(result.http, 95) };
  const sql = { p50: percentile(result.sql, 50), p95: percentile(result.sql, 95) };
  return {
    case: result.name,
    rows: result.rows,
    http,
    sql,
    ratioP50: http.p50 / sql.p50,
    goalMs: goals.get(result.name) ?? null,
    goalMet: !result.list || http.p95 <= (goals.get(result.name) ?? GOAL_P95_MS),
    plan: {
      skillRunsAccess: plan.skillRunsAccess,
      seqScans: plan.seqScans,
      seqScanTables: describeSeqScans(plan.seqScans),
      sort: plan.sort,
      planningMs: plan.planningMs,
      executionMs: plan.executionMs,
      sharedHit: plan.sharedHit,
      sharedRead: plan.sharedRead,
    },
    explain: plan.text,
  };
});
printTable(
  `${RUNS.toLocaleString("en")} runs, ${ITERATIONS} iterations per case after ${WARMUP} warm-up, page size ${LIMIT}`,
  summary.map((row) => ({
    case: row.case,
    rows: row.rows,
    "HTTP p50": ms(row.http.p50),
    "HTTP p95": ms(row.http.p95),
    "SQL p50": ms(row.sql.p50),
    "SQL p95": ms(row.sql.p95),
    "ratio p50": row.ratioP50.toFixed(1),
    "p95 goal": row.goalMs === null ? "" : `≤ ${row.goalMs} ms: ${row.goalMet ? "yes" : "NO"}`,
  })),
);
printTable(
  "EXPLAIN (ANALYZE, BUFFERS) of the same SQL",
  summary.map((row) => ({
    case: row.case,
    "skill_runs via": row.plan.skillRunsAccess,
    "Seq Scan": row.plan.seqScanTables,
    "sorts runs": row.plan.sort ? "yes" : "no",
    planning: ms(row.plan.planningMs),
    execution: ms(row.plan.executionMs),
    "buffers hit/read": `${row.plan.sharedHit}/${row.plan.sharedRead}`,
  })),
);
if (process.env.BENCH_HISTORY_PLANS)
  for (const row of summary) console.log(`\n── ${row.case}\n${row.explain}`);

const seqOnRuns = summary.filter((row) => row.plan.seqScans.includes("skill_runs"));
const missed = summary.filter((row) => !row.goalMet);
await writeResult("history", {
  runs: RUNS,
  iterations: ITERATIONS,
  warmup: WARMUP,
  pageSize: LIMIT,
  depth: DEPTH,
  seed: seed
    ? {
        seconds: seed.seconds,
        indexSeconds: seed.indexSeconds,
        rowsPerSecond: seed.rowsPerSecond,
        analyzeSeconds: seed.analyzeSeconds,
        perTenant: seed.perTenant,
      }
    : "reused",
  goals: {
    listP95Ms: GOAL_P95_MS,
    searchP95Ms: SEARCH_GOAL_P95_MS,
    missed: missed.map((row) => row.case),
    seqScanOnSkillRuns: seqOnRuns.map((row) => row.case),
  },
  cases: summary,
});
if (seqOnRuns.length)
  console.error(`\nSeq Scan on skill_runs in: ${seqOnRuns.map((row) => row.case).join("; ")}`);
if (missed.length)
  console.error(`\np95 above its goal: ${missed.map((row) => row.case).join("; ")}`);

await bare.end();
await closeDb();
await stopServer();
process.exit(seqOnRuns.length ? 1 : 0);
