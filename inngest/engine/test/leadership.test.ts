/**
 * Conformance: one leader per database. Two engines on one database: only the one holding
 * the advisory lock executes; the other is a standby (every route 503) until the leader stops,
 * crashes or loses its session, and then takes over, finishing the leader's in-flight runs
 * exactly once. The SDK reaches "the engine" through a health-checking proxy, as apps reach a
 * leader and its standby behind a load balancer.
 */
import { Inngest, type Logger } from "inngest";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { gate, startAppServer, uniqueName, waitFor, type AppServer } from "./harness";
import { startLeaderProxy, type LeaderProxy } from "./leader-proxy";

const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const databaseUrl = () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: is test/setup-database.ts in setupFiles?");
  return url;
};

let engines: Engine[] = [];
let apps: AppServer[] = [];
let proxy: LeaderProxy;
let db: postgres.Sql;

const start = () =>
  startEngine({
    port: 0,
    databaseUrl: databaseUrl(),
    retryIntervalSeconds: 0.05,
    pollIntervalSeconds: 0,
    leaderPollSeconds: 0.2,
    log: (line) => {
      if (process.env.CONFORMANCE_ENGINE_LOG)
        process.stderr.write(`[engine] ${JSON.stringify(line)}\n`);
    },
  }).then((engine) => {
    engines.push(engine);
    return engine;
  });

beforeAll(async () => {
  db = postgres(databaseUrl(), { max: 2, onnotice: () => {} });
  proxy = await startLeaderProxy(() => engines.map((engine) => engine.url), { checkEveryMs: 50 });
});
afterEach(async () => {
  await Promise.all(engines.map((engine) => engine.close().catch(() => {})));
  await Promise.all(apps.map((app) => app.close()));
  engines = [];
  apps = [];
});
afterAll(async () => {
  await proxy.close();
  await db.end();
});

/** A function whose second step blocks its first attempt until released; attempts are recorded. */
async function blockingApp(leader: Engine) {
  const client = new Inngest({
    id: uniqueName("leadership"),
    isDev: true,
    baseUrl: proxy.url,
    logger: silentLogger,
  });
  const eventName = uniqueName("leadership/go");
  const counts = { before: 0, attempts: [] as number[] };
  const entered = gate();
  const hold = gate();
  const fn = client.createFunction(
    { id: "blocking", retries: 2, triggers: [{ event: eventName }] },
    async ({ step, attempt }) => {
      await step.run("before", () => ++counts.before);
      await step.run("block", async () => {
        counts.attempts.push(attempt);
        if (attempt === 0) {
          entered.release();
          await hold.promise;
        }
        return attempt;
      });
      return "done";
    },
  );
  const app = await startAppServer(client, [fn]);
  apps.push(app);
  await leader.syncApp(app.url);
  return { client, eventName, counts, entered, hold };
}

async function send(name: string): Promise<string> {
  const response = await fetch(`${proxy.url}/e/test-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, data: {} }),
  });
  const body = (await response.json()) as { ids?: string[] };
  const id = body.ids?.[0];
  if (response.status !== 200 || !id) throw new Error(`send answered ${response.status}`);
  return id;
}

type RunRow = { id: string; status: string };
const runOf = (eventId: string) =>
  waitFor(
    async () =>
      (
        await db<RunRow[]>`select id, status from inngest_engine.runs where event_id = ${eventId}`
      )[0],
    { message: `a run for event ${eventId}` },
  );
const finishedOnce = async (runId: string, status: string) => {
  const run = await waitFor(
    async () => {
      const [row] = await db<
        RunRow[]
      >`select id, status from inngest_engine.runs where id = ${runId}`;
      return row && row.status !== "Running" ? row : undefined;
    },
    { timeoutMs: 20_000, message: `run ${runId} to finish` },
  );
  expect(run.status).toBe(status);
  const [row] = await db<{ finished: number }[]>`
    select count(*)::int as finished from inngest_engine.events
    where name = 'inngest/function.finished' and payload->'data'->>'run_id' = ${runId}`;
  expect(row?.finished).toBe(1);
};
const leaderOf = () =>
  waitFor(
    () => {
      const leaders = engines.filter((engine) => engine.role() === "leader");
      return leaders.length === 1 && proxy.leader() === leaders[0]?.url ? leaders[0] : undefined;
    },
    { timeoutMs: 15_000, message: "exactly one engine to lead, and the proxy to route to it" },
  );

describe("one leader per database", () => {
  it("a second engine is a standby: it answers 503, and it neither recovers nor executes the leader's in-flight step", async () => {
    const leader = await start();
    expect(leader.role()).toBe("leader");
    const app = await blockingApp(leader);
    const run = await runOf(await send(app.eventName));
    await app.entered.promise;

    const standby = await start();
    expect(standby.role()).toBe("standby");
    const health = await fetch(`${standby.url}/health`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { message: string }).message).toMatch(
      /^standby: another engine holds the lock on /,
    );
    const sent = await fetch(`${standby.url}/e/test-key`, {
      method: "POST",
      body: JSON.stringify({ name: app.eventName }),
    });
    expect(sent.status).toBe(503);
    await expect(standby.syncApp(apps[0]!.url)).rejects.toThrow(/standby/);
    // A recovering second engine would count the leased step as interrupted and re-send it at once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(app.counts.attempts).toEqual([0]);

    app.hold.release();
    await finishedOnce(run.id, "Completed");
    expect(app.counts).toEqual({ before: 1, attempts: [0] });
    expect(standby.role()).toBe("standby");
  });

  it("the leader crashes (as SIGKILL) mid-step: the standby takes over and the run finishes exactly once", async () => {
    const first = await start();
    const app = await blockingApp(first);
    const standby = await start();
    expect(standby.role()).toBe("standby");
    const run = await runOf(await send(app.eventName));
    await app.entered.promise;

    await first.crash();
    engines = engines.filter((engine) => engine !== first);
    expect(await leaderOf()).toBe(standby);
    // The crashed leader's request finishes: its checkpoint reaches the new leader within the
    // interrupted item's grace, so the step is kept — the next dispatch replays it, never re-runs it.
    app.hold.release();
    await finishedOnce(run.id, "Completed");
    expect(app.counts).toEqual({ before: 1, attempts: [0] });

    // The new leader takes new work too.
    const next = await runOf(await send(app.eventName));
    await finishedOnce(next.id, "Completed");
  });

  it("the leader stops gracefully mid-step: its in-flight step is recorded, then the standby takes over; nothing re-runs", async () => {
    const first = await start();
    const app = await blockingApp(first);
    const standby = await start();
    const run = await runOf(await send(app.eventName));
    await app.entered.promise;

    const closing = first.close();
    app.hold.release();
    await closing;
    engines = engines.filter((engine) => engine !== first);
    expect(await leaderOf()).toBe(standby);
    await finishedOnce(run.id, "Completed");
    expect(app.counts).toEqual({ before: 1, attempts: [0] });
  });

  it("a leader whose lock session is killed stops executing at once; the next leader finishes the run exactly once", async () => {
    const first = await start();
    const app = await blockingApp(first);
    await start();
    const run = await runOf(await send(app.eventName));
    await app.entered.promise;

    const killed = await db<{ killed: boolean }[]>`
      select pg_terminate_backend(l.pid) as killed from pg_locks l
      where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.objid = 1
        and l.database = (select oid from pg_database where datname = current_database())`;
    expect(killed).toEqual([{ killed: true }]);
    // It may win the lock back in a later term (after a poll interval), but the term that lost
    // it runs nothing more: the response of its in-flight request is not recorded.
    await waitFor(() => first.role() === "standby", {
      intervalMs: 10,
      message: "the engine that lost its session to step down",
    });
    app.hold.release();
    await leaderOf();
    await finishedOnce(run.id, "Completed");
    // Its step's checkpoint reaches whichever engine leads by then: kept, not run again.
    expect(app.counts).toEqual({ before: 1, attempts: [0] });
  });
});
