/**
 * `npm run bench:webhooks [-- --deliveries 3000] [--concurrency 16] [--warmup 300] [--durable] [--cpu-prof]` —
 * signed webhook deliveries per second, sustained on loopback, each answered `202`: the real
 * receiver (createWebhookReceiver, as app/api/webhooks/[id]/route.ts calls it: verify the
 * signature, rate limit, map the payload, one transaction with the run, the delivery log row and
 * the audit row, then the engine event) against an unsigned no-op handler in the same run and
 * the same server (it reads the body and answers 202 `{}`), so the ratio is the cost of
 * verification, mapping, the inserts and the dispatch.
 *
 * The two routes are served by a plain node:http server in a child process (this file, forked),
 * converting each request to a Web Request and the Response back, as Next does; Next's own
 * routing is left out (the same for both routes). The load comes from this process over
 * `--concurrency` keep-alive connections, every delivery with a fresh body, timestamp, signature
 * and delivery id; an answer other than 202 fails the bench. The engine is its own process with
 * no app synced: each run's event is sent and stored for real, but no function executes, so
 * the engine's execution load is not in the numbers (bench:dispatch measures that). PostgreSQL
 * is embedded and throwaway with fsync and synchronous_commit off, as in the other benches;
 * `--durable` turns them on. Afterwards the database must hold exactly one run, one accepted
 * delivery row, one audit row and one engine event per delivery sent (warm-up included).
 *
 * To say where the time goes: CPU time per delivery by process (load generator, server, engine,
 * PostgreSQL, from /proc) and the share of the machine other processes used meanwhile (the
 * throughput is only meaningful when that is near 0), the receiver's statements from
 * pg_stat_statements, the time of the engine send, and the duplicate holder lookup's plans (custom and
 * generic). `--cpu-prof` writes the server process's V8 CPU profiles into bench/results/.
 */
import "./throwaway-key";
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { and, count, countDistinct, desc, eq, sql, type SQL } from "drizzle-orm";
import { Inngest } from "inngest";
import { createDatabase } from "@/server/db/client";
import { migrateDatabase } from "@/server/db/migrate";
import {
  agents,
  agentSkills,
  agentTemplates,
  auditLog,
  memberships,
  skillRuns,
  skills,
  tenants,
  tenantSettings,
  users,
  webhookDeliveries,
} from "@/server/db/schema";
import { createWebhookReceiver } from "@/server/rest/webhook-receiver";
import { RUN_REQUESTED } from "@/inngest/events";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import {
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhookBody,
} from "@/server/services/webhooks/webhook-signature";
import { createWebhook } from "@/server/services/webhooks/webhooks";
import { benchDatabase, ms, percentile, printTable, writeResult } from "./lib";
import { firstFreePort } from "../lib/embedded-postgres";

const SERVER_ROLE = "BENCH_WEBHOOKS_SERVER";
const GOAL_PER_SECOND = 300;

type ServerConfig = { databaseUrl: string; engineUrl: string };
type Route = "signed" | "noop";
type ToServer = { type: "stats" } | { type: "stop" };
type FromServer =
  | { type: "listening"; port: number }
  | { type: "stats"; handlerMs: Record<Route, number[]>; sendMs: number[]; errors: string[] };

if (process.env[SERVER_ROLE])
  await serveRoutes(JSON.parse(process.env[SERVER_ROLE]) as ServerConfig);
else await bench();

// ─── The child: the receiver and the no-op baseline behind one node:http server ────────────────

async function serveRoutes(config: ServerConfig) {
  // The app's pool (server/db/index.ts: createDatabase's default of 10 connections).
  const { db, close } = createDatabase(config.databaseUrl);
  const client = new Inngest({ id: "skillrun", isDev: true, baseUrl: config.engineUrl });
  const handlerMs: Record<Route, number[]> = { signed: [], noop: [] };
  let sendMs: number[] = [];
  let errors: string[] = [];
  // The Inngest client, timed: the part of a delivery spent handing its run to the engine.
  const dispatcher: RunDispatcher = {
    send: async (event) => {
      const began = performance.now();
      try {
        return await client.send(event);
      } finally {
        sendMs.push(performance.now() - began);
      }
    },
  };
  const receive = createWebhookReceiver({ db: () => db, dispatcher });
  const noop = async (request: Request) => {
    await request.arrayBuffer();
    return Response.json({}, { status: 202 });
  };

  const server = http.createServer((req, res) => {
    const began = performance.now();
    const webhookId = /^\/api\/webhooks\/([^/?]+)$/.exec(req.url ?? "")?.[1];
    const route: Route | null =
      req.method !== "POST" ? null : webhookId ? "signed" : req.url === "/noop" ? "noop" : null;
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    // IncomingMessage → Web Request with the body as a stream, as Next's node adapter does.
    const headers = new Headers();
    for (let index = 0; index < req.rawHeaders.length; index += 2)
      headers.append(req.rawHeaders[index]!, req.rawHeaders[index + 1]!);
    const request = new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url}`, {
      method: "POST",
      headers,
      body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
      duplex: "half",
    } as RequestInit & { duplex: "half" });
    (route === "signed" ? receive(request, webhookId!) : noop(request))
      .then(async (response) => {
        const body = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(body);
        handlerMs[route].push(performance.now() - began);
      })
      .catch((error: unknown) => {
        if (errors.length < 20)
          errors.push(error instanceof Error ? (error.stack ?? error.message) : String(error));
        res.writeHead(500).end();
      });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

  const reply = (message: FromServer) => process.send!(message);
  process.on("message", (message: ToServer) => {
    if (message.type === "stats") {
      reply({
        type: "stats",
        handlerMs: { signed: handlerMs.signed.splice(0), noop: handlerMs.noop.splice(0) },
        sendMs,
        errors,
      });
      sendMs = [];
      errors = [];
    } else {
      server.closeAllConnections();
      server.close();
      void close().then(() => process.exit(0));
    }
  });
  reply({ type: "listening", port: (server.address() as AddressInfo).port });
}

// ─── The parent: setup, load, checks, report ────────────────────────────────────────────────

async function bench() {
  const { values: args } = parseArgs({
    options: {
      deliveries: { type: "string", default: "3000" },
      concurrency: { type: "string", default: "16" },
      warmup: { type: "string", default: "300" },
      durable: { type: "boolean", default: false },
      "cpu-prof": { type: "boolean", default: false },
    },
  });
  const DELIVERIES = Number(args.deliveries.replaceAll("_", ""));
  const CONCURRENCY = Number(args.concurrency);
  const WARMUP = Number(args.warmup);
  if (
    ![DELIVERIES, CONCURRENCY, WARMUP].every(Number.isInteger) ||
    DELIVERIES < 1 ||
    CONCURRENCY < 1 ||
    WARMUP < 0
  ) {
    console.error(
      "usage: npm run bench:webhooks -- [--deliveries N ≥ 1] [--concurrency C ≥ 1] [--warmup N ≥ 0] [--durable] [--cpu-prof]",
    );
    process.exit(2);
  }

  // 1. The database, a tenant with a skill, its default agent, an admin and the webhook.
  const durability: Record<string, string> = args.durable
    ? { fsync: "on", synchronous_commit: "on", full_page_writes: "on" }
    : {};
  const database = await benchDatabase("webhooks", {
    settings: { shared_preload_libraries: "pg_stat_statements", ...durability },
  });
  await migrateDatabase(database.url);
  const { db, close: closeDb } = createDatabase(database.url, { max: 2 });
  await db.execute("create extension if not exists pg_stat_statements");
  const tenantId = randomUUID();
  await db.insert(tenants).values({ id: tenantId, name: "Bench", slug: "bench" });
  await db.insert(tenantSettings).values({ tenantId });
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId,
      origin: "tenant",
      slug: "triage",
      name: "Triage",
      description: "d",
      versionHash: "v1",
      ...inputsColumnsOf({
        type: "object",
        required: ["title", "priority"],
        properties: {
          title: { type: "string", minLength: 3, title: "Title" },
          priority: { type: "integer", minimum: 1, maximum: 5, title: "Priority" },
          labels: { type: "array", items: { type: "string" }, title: "Labels" },
        },
      }),
      instructions: "Triage the issue.",
    })
    .returning();
  const [template] = await db
    .insert(agentTemplates)
    .values({ tenantId, name: "T", systemPrompt: "p", defaultModel: "mock:instant" })
    .returning();
  const [defaultAgent] = await db
    .insert(agents)
    .values({ tenantId, name: "A", templateId: template!.id, isDefault: true })
    .returning();
  // An agent runs only its own skills.
  await db.insert(agentSkills).values({ agentId: defaultAgent!.id, skillId: skill!.id });
  const userId = randomUUID();
  await db
    .insert(users)
    .values({ id: userId, email: "bench@example.test", name: "Bench", emailVerified: true });
  await db
    .insert(memberships)
    .values({ id: randomUUID(), organizationId: tenantId, userId, role: "admin" });
  const webhook = await createWebhook(
    db,
    { tenantId, userId, audit: { actor: { type: "user", id: userId }, origin: null } },
    {
      name: "Issues",
      skillId: skill!.id,
      // The tenant's default agent, looked up per delivery.
      agentId: null,
      inputMapping: {
        title: { pointer: "/issue/title" },
        priority: { pointer: "/issue/priority", default: 3 },
        labels: { pointer: "/issue/labels" },
      },
      // High enough that the limiter never refuses; it still counts every delivery.
      rateLimitPerMinute: 100_000,
      enabled: true,
    },
  );

  // 2. The engine (its own process, no app synced) and the routes (a child process).
  const enginePort = await firstFreePort(58_588);
  const engineUrl = `http://127.0.0.1:${enginePort}`;
  const engine = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "inngest/engine/cli.ts",
      "-p",
      String(enginePort),
      "--database-url",
      database.url,
      "--no-poll",
    ],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  for (
    let attempt = 0;
    !(await fetch(`${engineUrl}/health`)
      .then((r) => r.ok)
      .catch(() => false));
    attempt++
  ) {
    if (attempt > 200) throw new Error("the engine did not start");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const server: ChildProcess = fork(fileURLToPath(import.meta.url), [], {
    // --cpu-prof: the server process's V8 CPU profiles (one per thread; tsx's loader has its own).
    execArgv: [
      "--import",
      "tsx",
      "--conditions=react-server",
      ...(args["cpu-prof"]
        ? ["--cpu-prof", `--cpu-prof-dir=bench/results/webhooks-server-cpuprofile-${process.pid}`]
        : []),
    ],
    env: {
      ...process.env,
      [SERVER_ROLE]: JSON.stringify({
        databaseUrl: database.url,
        engineUrl,
      } satisfies ServerConfig),
    },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const nextMessage = <T extends FromServer["type"]>(type: T) =>
    new Promise<Extract<FromServer, { type: T }>>((resolve, reject) => {
      const onMessage = (message: FromServer) => {
        if (message.type !== type) return;
        server.off("message", onMessage);
        server.off("exit", onExit);
        resolve(message as Extract<FromServer, { type: T }>);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`the server process exited (${code}) before "${type}"`));
      server.on("message", onMessage);
      server.once("exit", onExit);
    });
  const { port } = await nextMessage("listening");
  const serverStats = async () => {
    const stats = nextMessage("stats");
    server.send({ type: "stats" } satisfies ToServer);
    return stats;
  };

  // CPU time by process (from /proc, in clock ticks of 10 ms), to say who uses the two cores.
  const TICK_MS = 10;
  const processTicks = (pid: number | undefined) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return Number(fields[11]) + Number(fields[12]);
    } catch {
      return 0;
    }
  };
  const machineTicks = () => {
    const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync(
      "/proc/stat",
      "utf8",
    )
      .split("\n")[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    return {
      busy: user! + nice! + system! + irq! + softirq! + steal!,
      total: user! + nice! + system! + idle! + iowait! + irq! + softirq! + steal!,
    };
  };
  type CpuSnapshot = {
    parent: number;
    server: number;
    engine: number;
    postgres: Map<number, number>;
    machine: { busy: number; total: number };
  };
  async function cpuSnapshot(): Promise<CpuSnapshot> {
    const backends = await db.execute<{ pid: number }>("select pid from pg_stat_activity");
    return {
      parent: processTicks(process.pid),
      server: processTicks(server.pid),
      engine: processTicks(engine.pid),
      postgres: new Map(backends.map((row) => [row.pid, processTicks(row.pid)])),
      machine: machineTicks(),
    };
  }
  /** CPU ms per delivery by process between two snapshots, and the machine's busy share. */
  function cpuPerDelivery(before: CpuSnapshot, after: CpuSnapshot, deliveries: number) {
    let postgresTicks = 0;
    for (const [pid, ticks] of after.postgres)
      postgresTicks += ticks - (before.postgres.get(pid) ?? 0);
    const ours = {
      loadGenerator: after.parent - before.parent,
      server: after.server - before.server,
      engine: after.engine - before.engine,
      postgres: postgresTicks,
    };
    const busy = after.machine.busy - before.machine.busy;
    const total = after.machine.total - before.machine.total;
    const oursTotal = ours.loadGenerator + ours.server + ours.engine + ours.postgres;
    const perDelivery = (ticks: number) => (ticks * TICK_MS) / deliveries;
    return {
      msPerDelivery: {
        loadGenerator: perDelivery(ours.loadGenerator),
        server: perDelivery(ours.server),
        engine: perDelivery(ours.engine),
        postgres: perDelivery(ours.postgres),
        total: perDelivery(oursTotal),
      },
      /** Of all cores' time in the phase: busy at all, and busy with something other than this bench. */
      machineBusyShare: busy / total,
      otherProcessesShare: Math.max(0, busy - oursTotal) / total,
    };
  }

  // 3. The load: CONCURRENCY keep-alive connections, each sending one delivery after another.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const ISSUE_TEXT = "Checkout fails with a 502 after the payment step for some customers; ".repeat(
    10,
  );
  /** A fresh delivery: body (≈1 KiB, like a small issue event), timestamp, signature, delivery id. */
  function delivery(index: number) {
    const body = Buffer.from(
      JSON.stringify({
        action: "opened",
        issue: {
          number: index,
          title: `Checkout is down (#${index})`,
          priority: 1 + (index % 5),
          labels: ["bench", `area-${index % 7}`],
          body: ISSUE_TEXT,
        },
        repository: { full_name: "acme/shop" },
        sender: { login: "bench-bot" },
        sentAt: new Date().toISOString(),
      }),
    );
    const headers = {
      "content-type": "application/json",
      "content-length": String(body.length),
      [SIGNATURE_HEADER]: signWebhookBody(webhook.secret, body, Math.floor(Date.now() / 1000)),
      [DELIVERY_ID_HEADER]: randomUUID(),
    };
    return { body, headers };
  }
  function post(path: string, body: Buffer, headers: Record<string, string>) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = http.request(
        { host: "127.0.0.1", port, path, method: "POST", agent, headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve({
              status: response.statusCode ?? 0,
              text: Buffer.concat(chunks).toString("utf8"),
            }),
          );
          response.on("error", reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }

  type Phase = {
    route: Route;
    deliveries: number;
    seconds: number;
    latencies: number[];
    non202: number;
    statuses: Record<string, number>;
    runIds: string[];
    sample: string | null;
  };
  async function load(route: Route, deliveries: number): Promise<Phase> {
    const path = route === "signed" ? `/api/webhooks/${webhook.id}` : "/noop";
    const latencies: number[] = [];
    const statuses: Record<string, number> = {};
    const runIds: string[] = [];
    let non202 = 0;
    let sample: string | null = null;
    let next = 0;
    const worker = async () => {
      while (next < deliveries) {
        const index = next++;
        // Built and signed inside the timed window's loop but outside the latency: the sender's work.
        const { body, headers } = delivery(index);
        const began = performance.now();
        const answer = await post(path, body, headers).catch((error: unknown) => ({
          status: 0,
          text: String(error),
        }));
        latencies.push(performance.now() - began);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status !== 202) {
          non202++;
          sample ??= `${answer.status} ${answer.text.slice(0, 300)}`;
        } else if (route === "signed") {
          runIds.push((JSON.parse(answer.text) as { runId: string }).runId);
        }
      }
    };
    const began = performance.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    return {
      route,
      deliveries,
      seconds: (performance.now() - began) / 1000,
      latencies,
      non202,
      statuses,
      runIds,
      sample,
    };
  }

  // Warm-up (JIT, prepared statements, connections, validators), not counted; then no-op, signed.
  const warmups = [await load("noop", WARMUP), await load("signed", WARMUP)];
  await serverStats();
  const noopCpuBefore = await cpuSnapshot();
  const noop = await load("noop", DELIVERIES);
  const noopCpu = cpuPerDelivery(noopCpuBefore, await cpuSnapshot(), DELIVERIES);
  const noopServer = await serverStats();
  await db.execute("select pg_stat_statements_reset()");
  const signedCpuBefore = await cpuSnapshot();
  const signed = await load("signed", DELIVERIES);
  const signedCpu = cpuPerDelivery(signedCpuBefore, await cpuSnapshot(), DELIVERIES);
  const signedServer = await serverStats();

  // 4. Where a signed delivery's database time goes (pg_stat_statements, the measured phase).
  const statementRows = await db.execute<{
    query: string;
    calls: string;
    total_ms: number;
    engine: boolean;
  }>(
    `select regexp_replace(query, '\\s+', ' ', 'g') as query, calls, total_exec_time as total_ms, query ilike '%inngest_engine%' as engine
     from pg_stat_statements where query not ilike '%pg_stat_statements%'`,
  );
  const appStatements = statementRows
    .filter((row) => !row.engine)
    .map((row) => ({ query: row.query, calls: Number(row.calls), ms: Number(row.total_ms) }));
  const engineStatements = statementRows
    .filter((row) => row.engine)
    .map((row) => ({ calls: Number(row.calls), ms: Number(row.total_ms) }));
  const sum = (rows: { calls: number; ms: number }[], key: "calls" | "ms") =>
    rows.reduce((total, row) => total + row[key], 0);
  const topStatements = [...appStatements].sort((a, b) => b.ms - a.ms).slice(0, 12);

  // Deduplication is the accepted delivery's insert conflicting on the unique claim index; a
  // duplicate then looks up the holder (the receiver's statement, mirrored). Its plan with this
  // run's values (a custom plan) and its generic plan (what a prepared statement may switch to).
  const [lastDelivery] = await db
    .select({ deliveryId: webhookDeliveries.deliveryId })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhook.id))
    .orderBy(desc(webhookDeliveries.receivedAt))
    .limit(1);
  const holderLookup = (values: { webhookId: unknown; deliveryId: unknown }) =>
    sql`select id, run_id, received_at from webhook_deliveries where webhook_id = ${values.webhookId} and delivery_id = ${values.deliveryId} and verdict = 'accepted' and delivery_id is not null and delivery_id_released_at is null`;
  const planOf = async (explain: SQL) =>
    (await db.execute<{ "QUERY PLAN": string }>(explain)).map((row) => row["QUERY PLAN"]);
  const dedupePlans = {
    custom: await planOf(
      sql`explain (analyze, costs off, timing off) ${holderLookup({ webhookId: webhook.id, deliveryId: lastDelivery?.deliveryId ?? "" })}`,
    ),
    generic: await planOf(
      sql`explain (generic_plan, costs off) ${holderLookup({ webhookId: sql.raw("$1::uuid"), deliveryId: sql.raw("$2") })}`,
    ),
  };
  const DEDUPE_INDEX = "webhook_deliveries_accepted_delivery_key";
  const indexOf = (plan: string[]) =>
    plan.some((line) => line.includes(DEDUPE_INDEX))
      ? DEDUPE_INDEX
      : (/(Index|Seq) Scan.*? on (\S+)/.exec(plan.join(" "))?.[0] ?? plan[0] ?? "");

  // 5. Integrity: one run, accepted delivery row, audit row and engine event per delivery sent.
  const expected = WARMUP + DELIVERIES;
  const [runs] = await db
    .select({
      total: count(),
      dispatchFailed:
        sql<number>`count(*) filter (where ${skillRuns.failureCode} = 'dispatch_failed')`.mapWith(
          Number,
        ),
    })
    .from(skillRuns)
    .where(eq(skillRuns.webhookId, webhook.id));
  const [deliveryRows] = await db
    .select({
      total: count(),
      accepted:
        sql<number>`count(*) filter (where ${webhookDeliveries.verdict} = 'accepted')`.mapWith(
          Number,
        ),
      deliveryIds: countDistinct(webhookDeliveries.deliveryId),
      runIds: countDistinct(webhookDeliveries.runId),
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhook.id));
  const [audits] = await db
    .select({ total: count() })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.actorType, "webhook"),
        eq(auditLog.actorId, webhook.id),
        eq(auditLog.action, "run.start"),
      ),
    );
  const [{ events = 0 } = {}] = (await db.execute<{ events: number }>(
    sql`select count(*)::int as events from inngest_engine.events where name = ${RUN_REQUESTED}`,
  )) as unknown as [{ events: number }];
  const answeredRunIds = new Set([...warmups[1]!.runIds, ...signed.runIds]);
  const integrity = {
    expected,
    runs: runs?.total ?? 0,
    dispatchFailedRuns: runs?.dispatchFailed ?? 0,
    deliveryRows: deliveryRows?.total ?? 0,
    acceptedDeliveryRows: deliveryRows?.accepted ?? 0,
    distinctDeliveryIds: deliveryRows?.deliveryIds ?? 0,
    distinctRunIdsLogged: deliveryRows?.runIds ?? 0,
    distinctRunIdsAnswered: answeredRunIds.size,
    auditRows: audits?.total ?? 0,
    engineEvents: events,
  };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(integrity)) {
    if (name !== "expected" && name !== "dispatchFailedRuns" && value !== expected)
      problems.push(`${name}: ${value}, expected ${expected}`);
  }
  if (integrity.dispatchFailedRuns)
    problems.push(`${integrity.dispatchFailedRuns} runs failed to dispatch`);
  for (const phase of [...warmups, noop, signed]) {
    if (phase.non202)
      problems.push(
        `${phase.route}: ${phase.non202} of ${phase.deliveries} answers were not 202 (${JSON.stringify(phase.statuses)}); first: ${phase.sample}`,
      );
  }
  for (const error of [...noopServer.errors, ...signedServer.errors])
    problems.push(`server error: ${error}`);

  // 6. Report.
  const stats = (phase: Phase, handler: number[]) => ({
    perSecond: phase.deliveries / phase.seconds,
    seconds: phase.seconds,
    p50: percentile(phase.latencies, 50),
    p99: percentile(phase.latencies, 99),
    max: Math.max(...phase.latencies),
    handlerP50: percentile(handler, 50),
    handlerP99: percentile(handler, 99),
    non202: phase.non202,
  });
  const signedStats = stats(signed, signedServer.handlerMs.signed);
  const noopStats = stats(noop, noopServer.handlerMs.noop);
  const ratios = {
    throughputNoopToSigned: noopStats.perSecond / signedStats.perSecond,
    p50SignedToNoop: signedStats.p50 / noopStats.p50,
    p99SignedToNoop: signedStats.p99 / noopStats.p99,
  };
  const goalMet = signedStats.perSecond >= GOAL_PER_SECOND;
  const perDelivery = {
    appStatements: sum(appStatements, "calls") / DELIVERIES,
    appDbMs: sum(appStatements, "ms") / DELIVERIES,
    engineStatements: sum(engineStatements, "calls") / DELIVERIES,
    engineDbMs: sum(engineStatements, "ms") / DELIVERIES,
    engineSendP50: percentile(signedServer.sendMs, 50),
    engineSendP99: percentile(signedServer.sendMs, 99),
  };

  const row = (name: string, s: ReturnType<typeof stats>) => ({
    route: name,
    deliveries: DELIVERIES,
    "non-202": s.non202,
    "deliveries/s": s.perSecond.toFixed(0),
    p50: ms(s.p50),
    p99: ms(s.p99),
    max: ms(s.max),
    "server p50": ms(s.handlerP50),
    "server p99": ms(s.handlerP99),
  });
  printTable(
    `${DELIVERIES} deliveries per route over ${CONCURRENCY} keep-alive connections (after ${WARMUP} warm-up each)`,
    [
      row("POST /api/webhooks/:id (signed, real receiver)", signedStats),
      row("POST /noop (unsigned, reads the body, 202 {})", noopStats),
    ],
  );
  printTable("Ratios and goal", [
    {
      "throughput noop/signed": ratios.throughputNoopToSigned.toFixed(1),
      "p50 signed/noop": ratios.p50SignedToNoop.toFixed(1),
      "p99 signed/noop": ratios.p99SignedToNoop.toFixed(1),
      goal: `≥ ${GOAL_PER_SECOND} signed deliveries/s: ${goalMet ? "✓" : "✗"} (${signedStats.perSecond.toFixed(0)}/s)`,
    },
  ]);
  printTable("A signed delivery, per delivery (measured phase)", [
    {
      "app statements": perDelivery.appStatements.toFixed(1),
      "app db time": ms(perDelivery.appDbMs),
      "engine send p50": ms(perDelivery.engineSendP50),
      "engine send p99": ms(perDelivery.engineSendP99),
      "engine statements": perDelivery.engineStatements.toFixed(1),
      "engine db time": ms(perDelivery.engineDbMs),
    },
  ]);
  const cpuRow = (name: string, cpu: typeof signedCpu) => ({
    route: name,
    "load generator": ms(cpu.msPerDelivery.loadGenerator),
    server: ms(cpu.msPerDelivery.server),
    engine: ms(cpu.msPerDelivery.engine),
    postgres: ms(cpu.msPerDelivery.postgres),
    total: ms(cpu.msPerDelivery.total),
    "machine busy": `${(cpu.machineBusyShare * 100).toFixed(0)} %`,
    "of it other processes": `${(cpu.otherProcessesShare * 100).toFixed(0)} %`,
  });
  printTable(
    "CPU time per delivery by process (/proc, 10 ms ticks), and the machine's load in the phase",
    [cpuRow("signed", signedCpu), cpuRow("noop", noopCpu)],
  );
  printTable(
    "The receiver's statements by database time (pg_stat_statements, measured phase)",
    topStatements.map((statement) => ({
      "per delivery": (statement.calls / DELIVERIES).toFixed(2),
      "mean ms": (statement.ms / Math.max(statement.calls, 1)).toFixed(3),
      "total ms": statement.ms.toFixed(0),
      query: statement.query.slice(0, 100),
    })),
  );
  printTable(`A duplicate's holder lookup with ${expected} deliveries logged`, [
    { plan: "custom (this run's values)", scans: indexOf(dedupePlans.custom) },
    {
      plan: "generic (a prepared statement may switch to it)",
      scans: indexOf(dedupePlans.generic),
    },
  ]);
  printTable("Integrity (warm-up included)", [
    {
      expected,
      runs: integrity.runs,
      "accepted delivery rows": integrity.acceptedDeliveryRows,
      "distinct delivery ids": integrity.distinctDeliveryIds,
      "audit rows": integrity.auditRows,
      "engine events": integrity.engineEvents,
      dispatch_failed: integrity.dispatchFailedRuns,
    },
  ]);
  console.log(
    `\nIncluded: HTTP on loopback, IncomingMessage → Request → Response → res, the receiver (lookup, HMAC verify, rate limit, mapping, transaction, engine send and its insert).` +
      `\nExcluded: Next's routing (same for both routes), run execution (no app synced to the engine), ${args.durable ? "nothing of durability (fsync on)" : "WAL flushes (fsync and synchronous_commit off; --durable turns them on)"}.` +
      `\nAll on ${os.cpus().length} shared cores: load generator, server, engine and PostgreSQL.`,
  );

  await writeResult("webhooks", {
    config: {
      deliveries: DELIVERIES,
      concurrency: CONCURRENCY,
      warmup: WARMUP,
      durable: args.durable,
      goalPerSecond: GOAL_PER_SECOND,
      bodyBytes: delivery(0).body.length,
    },
    signed: signedStats,
    noop: noopStats,
    ratios,
    goalMet,
    perDelivery,
    cpu: { signed: signedCpu, noop: noopCpu },
    topStatements,
    dedupePlans,
    integrity,
    problems,
  });

  for (const problem of problems) console.error(`FAIL: ${problem}`);
  // Like every bench: the goal is reported (✗ above), and only lost or wrong work fails the run.
  if (!goalMet)
    console.error(
      `goal missed: ${signedStats.perSecond.toFixed(0)} signed deliveries/s, the goal is ≥ ${GOAL_PER_SECOND}`,
    );

  agent.destroy();
  server.send({ type: "stop" } satisfies ToServer);
  await new Promise((resolve) => server.once("exit", resolve));
  engine.kill("SIGTERM");
  await new Promise((resolve) => engine.once("exit", resolve));
  await closeDb();
  await database.close();
  process.exit(problems.length ? 1 : 0);
}
