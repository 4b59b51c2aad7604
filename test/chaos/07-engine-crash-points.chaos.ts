/**
 * Chaos 7: the engine as its own process (`npm run engine`) SIGKILLs itself at each crash point
 * of issue 19 (the engine study's D1–D4), right after that point's write commits
 * (`SKILLRUN_ENGINE_FAULT=<point>`), and is started again on the same database: the work is done
 * exactly once. `inngest/engine/test/crash-points.test.ts` shows the same in-process; here no
 * memory survives the crash and the kernel closes the engine's sockets. The apps are small SDK
 * apps served from this process; one embedded PostgreSQL with a database per point, and the
 * four points run at once (each waits out the restarted engine's 10 s interrupted-request grace).
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Inngest, type InngestFunction, type Logger } from "inngest";
import postgres from "postgres";
import { afterAll, beforeAll, describe, test } from "vitest";
import type { EngineFaultPoint } from "@/inngest/engine";
import { startAppServer, type AppServer } from "@/inngest/engine/test/harness";
import {
  ensureDatabase,
  startEmbeddedPostgres,
  type EmbeddedPostgresHandle,
} from "@/scripts/lib/embedded-postgres";
import { eventually, freePort, LOG_ROOT, spawnNode, TSX, type Child } from "./harness";

const LOG_DIR = path.join(LOG_ROOT, "engine-crash-points");
const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

type EngineRun = { function_slug: string; status: string; output: unknown };

/** One crash point's world: its database, its app, and the engine processes on one port. */
class Scene {
  readonly client: Inngest;
  readonly engines: Child[] = [];
  private app: AppServer | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly databaseUrl: string,
    readonly sql: postgres.Sql,
  ) {
    this.client = new Inngest({
      id: `crash-${name}`,
      isDev: true,
      baseUrl: this.engineUrl,
      logger: silentLogger,
    });
  }

  get engineUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  slug(functionId: string) {
    return `${this.client.id}-${functionId}`;
  }

  async serve(functions: InngestFunction.Any[]) {
    this.app = await startAppServer(this.client, functions);
  }

  async close() {
    for (const engine of this.engines) await engine.stop().catch(() => engine.killGroup());
    await this.app?.close();
    await this.sql.end({ timeout: 5 });
  }

  /** `npm run engine` on this scene's port and database, SIGKILLing itself at `fault` if given. */
  async startEngine(fault?: EngineFaultPoint): Promise<Child> {
    if (!this.app) throw new Error("serve the app before starting its engine");
    const engine = spawnNode(
      `${this.name}-engine-${this.engines.length + 1}`,
      [
        ...TSX,
        "inngest/engine/cli.ts",
        "-u",
        this.app.url,
        "-p",
        String(this.port),
        "--database-url",
        this.databaseUrl,
        "--poll-interval",
        "1",
        "--retry-interval",
        "1",
      ],
      {
        SKILLRUN_ENGINE_FAULT: fault ?? "",
        INNGEST_SIGNING_KEY: "",
        INNGEST_SIGNING_KEY_FALLBACK: "",
        INNGEST_EVENT_KEY: "",
      },
      LOG_DIR,
    );
    this.engines.push(engine);
    await engine.waitForLine(/engine listening on/, 60_000);
    // The crashed engine's lock session may take a moment to close: until then this one is a standby.
    await eventually(
      `${this.name}: the engine to lead`,
      async () =>
        (await fetch(`${this.engineUrl}/health`, { signal: AbortSignal.timeout(2_000) })).ok,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    await eventually(
      `${this.name}: the app's functions to be registered`,
      async () => {
        const [row] = await this.sql<{ n: number }[]>`
          select count(*)::int as n from inngest_engine.functions`;
        return (row?.n ?? 0) > 0;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    return engine;
  }

  /** Resolves once the engine has killed itself; fails if it exited any other way. */
  async crashOf(engine: Child) {
    const outcome = await engine.waitExit(60_000);
    if (outcome.signal !== "SIGKILL")
      throw new Error(
        `${engine.name} exited ${outcome.code ?? outcome.signal}, not by its fault:\n${engine.lastLines()}`,
      );
  }

  /** POST /e/:key as the SDK sends it; rejects when the engine dies before answering. */
  async send(
    event: { name: string; data?: Record<string, unknown> },
    seed?: string,
  ): Promise<string[]> {
    const response = await fetch(`${this.engineUrl}/e/crash-key`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(seed ? { "x-inngest-event-id-seed": seed } : {}),
      },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json()) as { ids?: string[] };
    if (response.status !== 200 || !body.ids)
      throw new Error(`POST /e answered ${response.status}: ${JSON.stringify(body)}`);
    return body.ids;
  }

  /**
   * Every run in the scene's database, once all have ended and nothing is queued: no more work
   * can appear after that, so the counts are final.
   */
  async settledRuns(): Promise<EngineRun[]> {
    return eventually(
      `${this.name}: every run to end with nothing queued`,
      async () => {
        const [state] = await this.sql<{ open: number; queued: number }[]>`
          select (select count(*) from inngest_engine.runs where ended_at is null)::int as open,
                 (select count(*) from inngest_engine.queue)::int as queued`;
        if (!state || state.open > 0 || state.queued > 0) return undefined;
        return this.sql<EngineRun[]>`
          select function_slug, status, output from inngest_engine.runs order by seq`;
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
  }
}

let server: EmbeddedPostgresHandle | undefined;
let dataDir = "";
const scenes: Scene[] = [];

async function createScene(name: string): Promise<Scene> {
  if (!server) throw new Error("PostgreSQL is not running");
  const database = `crash_${name}`;
  await ensureDatabase(server.urlFor("postgres"), database);
  const databaseUrl = server.urlFor(database);
  const scene = new Scene(
    name,
    await freePort(),
    databaseUrl,
    postgres(databaseUrl, { max: 2, onnotice: () => {} }),
  );
  scenes.push(scene);
  return scene;
}

beforeAll(async () => {
  await rm(LOG_DIR, { recursive: true, force: true });
  await mkdir(LOG_DIR, { recursive: true });
  dataDir = await mkdtemp(path.join(os.tmpdir(), "skillrun-chaos-crash-points-"));
  server = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
});
afterAll(async () => {
  await Promise.all(scenes.map((scene) => scene.close()));
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe.concurrent("SIGKILL the engine at each crash point (D1–D4), restart it", () => {
  test("D1 ingest.stored: the send's retry (same seed) after the restart starts no second run; the one run executes once", async ({
    expect,
  }) => {
    const scene = await createScene("d1");
    let executions = 0;
    const fn = scene.client.createFunction(
      { id: "work", triggers: [{ event: "d1/go" }] },
      async ({ step }) => step.run("count", () => ++executions),
    );
    await scene.serve([fn]);
    const crashing = await scene.startEngine("ingest.stored");

    // As the SDK sends: the seed makes a retry's event ids those of the first attempt.
    const seed = `${Date.now()},${randomBytes(10).toString("base64")}`;
    const first = await scene.send({ name: "d1/go" }, seed).catch((error: unknown) => error);
    expect(first).toBeInstanceOf(Error);
    await scene.crashOf(crashing);
    const [stored] = await scene.sql<{ n: number }[]>`
      select count(*)::int as n from inngest_engine.events where name = 'd1/go'`;
    expect(stored?.n).toBe(1);

    await scene.startEngine();
    const [eventId] = await scene.send({ name: "d1/go" }, seed);
    const runs = await scene.settledRuns();
    expect(runs).toEqual([{ function_slug: scene.slug("work"), status: "Completed", output: 1 }]);
    const [events] = await scene.sql<{ n: number; id: string }[]>`
      select count(*)::int as n, min(internal_id) as id from inngest_engine.events where name = 'd1/go'`;
    expect(events).toEqual({ n: 1, id: eventId });
    expect(executions).toBe(1);
  });

  test("D2 finalize.stored: the failed run's function.failed survives the crash: onFailure runs exactly once", async ({
    expect,
  }) => {
    const scene = await createScene("d2");
    const failures: string[] = [];
    const fn = scene.client.createFunction(
      {
        id: "explode",
        retries: 0,
        triggers: [{ event: "d2/go" }],
        onFailure: ({ error }) => {
          failures.push(error.message);
        },
      },
      async ({ step }) => {
        await step.run("explode", () => {
          throw new Error("d2-kaboom");
        });
      },
    );
    await scene.serve([fn]);
    const crashing = await scene.startEngine("finalize.stored");

    await scene.send({ name: "d2/go" });
    await scene.crashOf(crashing);
    const [failed] = await scene.sql<{ status: string }[]>`
      select status from inngest_engine.runs where function_slug = ${scene.slug("explode")}`;
    expect(failed?.status).toBe("Failed");

    await scene.startEngine();
    const runs = await scene.settledRuns();
    expect(runs.map((run) => [run.function_slug, run.status])).toEqual([
      [scene.slug("explode"), "Failed"],
      [scene.slug("explode-failure"), "Completed"],
    ]);
    expect(failures).toEqual([expect.stringContaining("d2-kaboom")]);
  });

  test("D3 invoke.persisted: the invoked child exists after the crash, runs once, and the parent gets its result", async ({
    expect,
  }) => {
    const scene = await createScene("d3");
    let childRuns = 0;
    const child = scene.client.createFunction(
      // A retry left: the child's first request was stored leased, so the crash counts an attempt.
      { id: "child", retries: 1, triggers: [{ event: "d3/child" }] },
      async ({ event }) => {
        childRuns++;
        return { doubled: (event.data.value as number) * 2 };
      },
    );
    const parent = scene.client.createFunction(
      { id: "parent", triggers: [{ event: "d3/parent" }] },
      async ({ event, step }) =>
        step.invoke("call-child", { function: child, data: { value: event.data.value as number } }),
    );
    await scene.serve([child, parent]);
    const crashing = await scene.startEngine("invoke.persisted");

    await scene.send({ name: "d3/parent", data: { value: 21 } });
    await scene.crashOf(crashing);

    await scene.startEngine();
    const runs = await scene.settledRuns();
    expect(runs).toEqual([
      { function_slug: scene.slug("parent"), status: "Completed", output: { doubled: 42 } },
      { function_slug: scene.slug("child"), status: "Completed", output: { doubled: 42 } },
    ]);
    expect(childRuns).toBe(1);
  });

  test("D4 cron.advanced: the tick advanced before the crash has its run, which executes exactly once", async ({
    expect,
  }) => {
    const scene = await createScene("d4");
    const ticks: string[] = [];
    // Once a year: the test moves the tick to now instead of waiting for it.
    const fn = scene.client.createFunction(
      { id: "tick", triggers: [{ cron: "0 0 1 1 *" }] },
      async ({ event }) => {
        ticks.push(String(event.id));
      },
    );
    await scene.serve([fn]);
    const crashing = await scene.startEngine("cron.advanced");

    // A re-sync (every second here) of an app whose checksum changed re-reads its crons.
    const [due] = await scene.sql<{ next_tick: Date }[]>`
      with app as (update inngest_engine.apps set checksum = 'moved-tick' where name = ${scene.client.id})
      update inngest_engine.crons set next_tick = date_trunc('second', now())
      where function_slug = ${scene.slug("tick")} returning next_tick`;
    expect(due).toBeDefined();
    await scene.crashOf(crashing);
    const [advanced] = await scene.sql<{ next_tick: Date }[]>`
      select next_tick from inngest_engine.crons where function_slug = ${scene.slug("tick")}`;
    expect(advanced?.next_tick.getTime()).toBeGreaterThan(due?.next_tick.getTime() ?? Infinity);

    await scene.startEngine();
    const runs = await scene.settledRuns();
    expect(runs.map((run) => [run.function_slug, run.status])).toEqual([
      [scene.slug("tick"), "Completed"],
    ]);
    expect(ticks).toEqual([due?.next_tick.toISOString().replace(/\.\d{3}Z$/, "Z")]);
  });
});
