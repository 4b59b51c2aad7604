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
import { startEngine, type Engine, type EngineLogLine } from "@/inngest/engine";
import { gate, startAppServer, uniqueName, waitFor, type AppServer, type Gate } from "./harness";
import { startLeaderProxy, type LeaderProxy } from "./leader-proxy";

const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
const databaseUrl = () => {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: is test/setup-database.ts in setupFiles?");
  return url;
};

let engines: Engine[] = [];
let apps: AppServer[] = [];
/** Steps held in the app: released after each test, so a failed one cannot hang the engines' close. */
let holds: Gate[] = [];
let proxy: LeaderProxy;
let db: postgres.Sql;

const start = (options: { drainTimeoutSeconds?: number; logged?: EngineLogLine[] } = {}) =>
  startEngine({
    port: 0,
    databaseUrl: databaseUrl(),
    retryIntervalSeconds: 0.05,
    pollIntervalSeconds: 0,
    leaderPollSeconds: 0.2,
    // The app releases its held step as soon as the new leader leads, so the old request's
    // checkpoint arrives well within 3 s; the rest of the default 10 s was only waited out.
    interruptedRequestGraceSeconds: 3,
    drainTimeoutSeconds: options.drainTimeoutSeconds,
    log: (line) => {
      options.logged?.push(line);
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
  for (const hold of holds) hold.release();
  holds = [];
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
  holds.push(hold);
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
  // A 503 stores nothing; the SDK retries it, and so does this while the proxy's health check
  // has not yet seen a just-started leader.
  const response = await waitFor(
    async () => {
      const answer = await fetch(`${proxy.url}/e/test-key`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, data: {} }),
      });
      if (answer.status !== 503) return answer;
      await answer.arrayBuffer();
      return undefined;
    },
    { message: `the proxy to accept a send of ${name}` },
  );
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
const killLockSession = () => db<{ killed: boolean }[]>`
  select pg_terminate_backend(l.pid) as killed from pg_locks l
  where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.objid = 1
    and l.database = (select oid from pg_database where datname = current_database())`;
/** Settles a flag, so a test can wait for a promise with a deadline instead of hanging on it. */
const tracked = (promise: Promise<void>) => {
  const state = { settled: false };
  void promise.finally(() => {
    state.settled = true;
  });
  return state;
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

    expect(await killLockSession()).toEqual([{ killed: true }]);
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

  it("a leader that loses its lock while draining stops at once, not when its in-flight request answers; the next leader finishes the run exactly once", async () => {
    const logged: EngineLogLine[] = [];
    // No cap within the test: only the lost lock can end this drain early.
    const first = await start({ logged, drainTimeoutSeconds: 3_600 });
    const app = await blockingApp(first);
    const standby = await start();
    const run = await runOf(await send(app.eventName));
    await app.entered.promise;

    const closing = tracked(first.close());
    // Draining: still the leader (it holds the lock, serves its in-flight request), but a load
    // balancer's health check sends new traffic elsewhere.
    await waitFor(async () => (await fetch(`${first.url}/health`)).status === 503, {
      message: "the draining leader's /health to answer 503",
    });
    expect(first.role()).toBe("leader");
    expect(closing.settled).toBe(false);

    expect(await killLockSession()).toEqual([{ killed: true }]);
    // The drain ends with the lock, while the app still holds the step: the old term writes nothing more.
    await waitFor(() => closing.settled, {
      message: "the draining engine that lost its lock to stop without waiting for its request",
    });
    expect(first.role()).toBe("standby");
    expect(logged.map((line) => line.msg)).toContain("leadership.lost");
    engines = engines.filter((engine) => engine !== first);
    expect(await leaderOf()).toBe(standby);

    app.hold.release();
    await finishedOnce(run.id, "Completed");
    expect(app.counts).toEqual({ before: 1, attempts: [0] });
  });

  it("a graceful stop drains for at most drainTimeoutSeconds, then ends abruptly; the next leader finishes the run exactly once", async () => {
    const logged: EngineLogLine[] = [];
    const first = await start({ logged, drainTimeoutSeconds: 0.3 });
    const app = await blockingApp(first);
    const standby = await start();
    const run = await runOf(await send(app.eventName));
    await app.entered.promise;

    const closing = tracked(first.close());
    await waitFor(() => closing.settled, {
      message: "the drain to end at its cap while the app still holds the step",
    });
    expect(logged.map((line) => line.msg)).toContain("engine.drain_timeout");
    engines = engines.filter((engine) => engine !== first);
    expect(await leaderOf()).toBe(standby);

    // The abandoned request's checkpoint reaches the new leader within its grace: kept, not re-run.
    app.hold.release();
    await finishedOnce(run.id, "Completed");
    expect(app.counts).toEqual({ before: 1, attempts: [0] });
  });
});
