/**
 * /api/health's execution-plane check against a real PostgreSQL: green, and red for each cause
 * (database, server down, a standby's 503, app not registered on the real embedded engine,
 * a stalled queue, configuration); a moving backlog stays green.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import { createDatabase } from "@/server/db/client";
import { skillRuns } from "@/server/db/schema";
import { QUEUE_HEALTH_QUERY } from "@/server/services/runs/queue-health";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import {
  appHealth,
  executionPlaneHealth,
  HEALTH_REPORT_TTL_MS,
  sharedReport,
  type ExecutionPlaneOptions,
} from "./health";

const { db } = openTestDatabase();
const signingKey = newSigningKey();
const APP_ID = "skillrun";
const FUNCTION_IDS = ["run-skill", "reconcile-runs"];
const MAX_QUEUED_SECONDS = 300;

/** A stand-in Inngest server: `GET /health` and the function list answer as told; `probes` counts `/health`. */
async function fakeServer(answers: { health: number; functions: string[]; probes?: number }) {
  const server = http.createServer((request, response) => {
    if (request.url === "/health") {
      answers.probes = (answers.probes ?? 0) + 1;
      response.writeHead(answers.health, { "content-type": "application/json" }).end("{}");
    } else if (request.url === `/v1/apps/${APP_ID}/functions`) {
      const data = answers.functions.map((id) => ({ slug: `${APP_ID}-${id}`, version: 1 }));
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data }));
    } else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}
const servers: http.Server[] = [];

/** A port nothing listens on: a server that was there and is gone. */
async function closedPortUrl() {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function options(overrides: Partial<ExecutionPlaneOptions>): ExecutionPlaneOptions {
  return {
    db,
    server: { kind: "cloud" },
    signingKey,
    appId: APP_ID,
    functionIds: FUNCTION_IDS,
    maxQueuedSeconds: MAX_QUEUED_SECONDS,
    ...overrides,
  };
}

async function insertRun(status: "queued" | "running", ageSeconds: number) {
  const { tenant, skill } = await createTenantWithSkill(db);
  const at = new Date(Date.now() - ageSeconds * 1000);
  await db.insert(skillRuns).values({
    tenantId: tenant.id,
    skillId: skill.id,
    skillVersion: "v1",
    source: "manual",
    inputs: {},
    status,
    createdAt: at,
    startedAt: status === "running" ? at : null,
  });
}

afterEach(async () => {
  await db.delete(skillRuns);
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("executionPlaneHealth", () => {
  it("is green when the server answers, has the app's functions and nothing waits too long", async () => {
    const baseUrl = await fakeServer({ health: 200, functions: FUNCTION_IDS });
    await insertRun("queued", 30);
    const report = await executionPlaneHealth(
      options({ server: { kind: "self_hosted", baseUrl } }),
    );
    expect(report).toMatchObject({
      status: "ok",
      problems: [],
      database: "ok",
      engine: { server: "self_hosted", reachable: true, appSynced: true },
      queue: { maxQueuedSeconds: MAX_QUEUED_SECONDS, newestRunningSeconds: null },
    });
    expect(report.queue?.oldestQueuedSeconds).toBeGreaterThanOrEqual(30);
    expect(report.queue?.oldestQueuedSeconds).toBeLessThan(MAX_QUEUED_SECONDS);
    // Aggregates only: neither the server's address nor a key.
    const body = JSON.stringify(report);
    expect(body).not.toContain(baseUrl);
    expect(body).not.toContain(signingKey.slice(-16));
  });

  it("is red when the server does not answer", async () => {
    const report = await executionPlaneHealth(
      options({ server: { kind: "self_hosted", baseUrl: await closedPortUrl() } }),
    );
    expect(report.status).toBe("unavailable");
    expect(report.engine).toMatchObject({ reachable: false });
    expect(report.problems).toEqual([expect.stringMatching(/does not answer/)]);
  });

  it("is red when the server answers 503, as an engine standby does", async () => {
    const baseUrl = await fakeServer({ health: 503, functions: FUNCTION_IDS });
    const report = await executionPlaneHealth(options({ server: { kind: "dev", baseUrl } }));
    expect(report.status).toBe("unavailable");
    expect(report.engine).toMatchObject({ server: "dev", reachable: false });
    expect(report.problems).toEqual([expect.stringMatching(/answered 503/)]);
  });

  it("is red when the server has not registered one of the app's functions", async () => {
    const baseUrl = await fakeServer({ health: 200, functions: ["run-skill"] });
    const report = await executionPlaneHealth(
      options({ server: { kind: "self_hosted", baseUrl } }),
    );
    expect(report.status).toBe("unavailable");
    expect(report.engine).toMatchObject({ reachable: true, appSynced: false });
    expect(report.problems).toEqual([
      expect.stringMatching(/not registered the app's reconcile-runs/),
    ]);
  });

  describe("against the real embedded engine, running signed", () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await startEngine({
        port: 0,
        databaseUrl: process.env.DATABASE_URL ?? "",
        signingKey,
        eventKey: newEventKey(),
        pollIntervalSeconds: 0,
        log: () => {},
      });
    });
    afterAll(async () => {
      await engine.close();
    });

    it("is red while no app is registered: the engine lists none of its functions", async () => {
      const report = await executionPlaneHealth(
        options({ server: { kind: "self_hosted", baseUrl: engine.url } }),
      );
      expect(report.engine).toEqual({ server: "self_hosted", reachable: true, appSynced: false });
      expect(report.problems).toEqual([
        expect.stringMatching(/not registered the app's run-skill, reconcile-runs/),
      ]);
    });

    it("says nothing of synced when the engine refuses the key", async () => {
      const report = await executionPlaneHealth(
        options({
          server: { kind: "self_hosted", baseUrl: engine.url },
          signingKey: newSigningKey(),
        }),
      );
      expect(report).toMatchObject({
        status: "ok",
        engine: { reachable: true, appSynced: null },
      });
    });
  });

  it("is red when the oldest queued run waited past the threshold and no run started since", async () => {
    await insertRun("queued", 10 * 60);
    const report = await executionPlaneHealth(options({}));
    expect(report.status).toBe("unavailable");
    expect(report.engine).toEqual({ server: "cloud", reachable: null, appSynced: null });
    expect(report.queue?.oldestQueuedSeconds).toBeGreaterThanOrEqual(10 * 60);
    expect(report.problems).toEqual([expect.stringMatching(/queued for \d+ s \(over 300 s/)]);
  });

  it("stays green for an old queued run while the queue moves (a run started recently)", async () => {
    await insertRun("queued", 10 * 60);
    await insertRun("running", 20);
    const report = await executionPlaneHealth(options({}));
    expect(report.status).toBe("ok");
    expect(report.queue?.newestRunningSeconds).toBeLessThan(MAX_QUEUED_SECONDS);
  });

  it("is red when a running run is all there is and it started before the threshold", async () => {
    await insertRun("queued", 10 * 60);
    await insertRun("running", 9 * 60);
    expect((await executionPlaneHealth(options({}))).status).toBe("unavailable");
  });

  it("is red when the configuration is one the SDK cannot run with", async () => {
    const report = await executionPlaneHealth(
      options({ server: { kind: "misconfigured", problem: "INNGEST_EVENT_KEY is missing" } }),
    );
    expect(report.status).toBe("unavailable");
    expect(report.problems).toEqual(["INNGEST_EVENT_KEY is missing"]);
  });

  it("is red when no Inngest server is configured (the app started without the launcher)", async () => {
    const report = await executionPlaneHealth(options({ server: { kind: "embedded" } }));
    expect(report.status).toBe("unavailable");
    expect(report.problems).toEqual([expect.stringMatching(/no Inngest server is configured/)]);
  });

  it("is red, and the app scope too, when the database is unreachable", async () => {
    const nowhere = new URL(await closedPortUrl());
    const { db: unreachable, close } = createDatabase(`postgres://nobody@${nowhere.host}/none`, {
      max: 1,
    });
    try {
      const report = await executionPlaneHealth(options({ db: unreachable }));
      expect(report).toMatchObject({ status: "unavailable", database: "unreachable" });
      expect(report.problems).toEqual(["database unreachable"]);
      expect(report.queue).toBeUndefined();
      expect(await appHealth(unreachable)).toMatchObject({ status: "unavailable" });
    } finally {
      await close();
    }
  });
});

describe("sharedReport (what /api/health serves)", () => {
  it("probes the server once for every call within the window, and again after it", async () => {
    const answers = { health: 200, functions: FUNCTION_IDS, probes: 0 };
    const baseUrl = await fakeServer(answers);
    let clock = 1_000_000;
    const report = sharedReport(
      () => executionPlaneHealth(options({ server: { kind: "self_hosted", baseUrl } })),
      { now: () => clock },
    );
    const first = await report();
    expect(first.status).toBe("ok");
    clock += HEALTH_REPORT_TTL_MS - 1;
    expect(await report()).toBe(first);
    expect(answers.probes).toBe(1);
    clock += 1;
    const second = await report();
    expect(second).not.toBe(first);
    expect(answers.probes).toBe(2);
  });

  it("shares one computation in flight among concurrent callers", async () => {
    const answers = { health: 503, functions: FUNCTION_IDS, probes: 0 };
    const baseUrl = await fakeServer(answers);
    const report = sharedReport(() =>
      executionPlaneHealth(options({ server: { kind: "dev", baseUrl } })),
    );
    const reports = await Promise.all([report(), report(), report()]);
    expect(new Set(reports).size).toBe(1);
    expect(reports[0]?.status).toBe("unavailable");
    expect(answers.probes).toBe(1);
  });

  it("keeps no report its caller does not want kept: the next call computes again", async () => {
    const answers = { health: 503, functions: FUNCTION_IDS, probes: 0 };
    const baseUrl = await fakeServer(answers);
    const report = sharedReport(
      () => executionPlaneHealth(options({ server: { kind: "dev", baseUrl } })),
      { keep: (health) => health.status === "ok", now: () => 1_000_000 },
    );
    expect((await report()).status).toBe("unavailable");
    answers.health = 200;
    expect((await report()).status).toBe("ok");
    expect(answers.probes).toBe(2);
    answers.health = 503;
    expect((await report()).status).toBe("ok");
    expect(answers.probes).toBe(2);
  });

  it("keeps no computation that threw: the next call computes again", async () => {
    let computations = 0;
    const report = sharedReport(async () => {
      computations += 1;
      if (computations === 1) throw new Error("boom");
      return computations;
    });
    await expect(report()).rejects.toThrow("boom");
    expect(await report()).toBe(2);
    expect(await report()).toBe(2);
  });
});

describe("the queue read", () => {
  it("can be answered from the indexes alone", async () => {
    await insertRun("queued", 60);
    await insertRun("running", 60);
    // With sequential scans priced out, an index-only plan exists exactly when the indexes cover the query.
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      const rows = await tx.execute<{ "QUERY PLAN": string }>(sql`explain ${QUEUE_HEALTH_QUERY}`);
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    });
    const runScans = plan.split("\n").filter((line) => /on skill_runs/.test(line));
    expect(runScans).toHaveLength(2);
    for (const line of runScans) expect(line).toMatch(/Index Only Scan/);
  });
});
