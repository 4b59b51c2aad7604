/**
 * The execution plane's isolation proof, beside test/isolation.test.ts (tRPC) and
 * test/rest-isolation.test.ts (REST v1): the app's real `/api/inngest` route, configured
 * exactly as the launcher runs it (scripts/lib/inngest.ts), served over HTTP to the embedded
 * engine running signed. Only requests the engine signed run functions; a forged `Host` does
 * not move where the engine calls; the engine's own API wants its keys. Every refused request
 * is checked twice: its answer, and the database — the app's run tables and the engine's state
 * for them are the same before and after.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve as serveNext } from "inngest/next";
import { NextRequest } from "next/server";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { canonicalJson, parseSigningKey, signBody } from "@/inngest/engine/signing";
import {
  embeddedInngestEnvironment,
  newEventKey,
  newSigningKey,
  type InngestKeys,
} from "@/scripts/lib/inngest";
import { skillRuns } from "@/server/db/schema";
import { createRun, type RunDispatcher } from "@/server/services/runs/runs";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";

const { db } = openTestDatabase();
const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
const keys: InngestKeys = { signingKey: newSigningKey(), eventKey: newEventKey() };
const signingKey = parseSigningKey(keys.signingKey);
const FUNCTION_ID = "skillrun-run-skill";

type RouteHandler = (request: NextRequest, context: unknown) => Promise<Response>;
let route: { GET: RouteHandler; POST: RouteHandler; PUT: RouteHandler };
let dispatcher: RunDispatcher;
let engine: Engine;
let app: http.Server;
let serveUrl: string;
const environmentBefore = { ...process.env };

/** Node's request → the NextRequest Next.js hands a route handler, headers (Host included) as sent. */
async function handleWithRoute(request: http.IncomingMessage, response: http.ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value])
      headers.append(name, item);
  }
  const method = (request.method ?? "GET") as keyof typeof route;
  const body = method === "GET" ? undefined : Buffer.concat(chunks);
  const answer = await route[method](
    new NextRequest(new URL(request.url ?? "/", serveUrl), { method, headers, body }),
    {},
  );
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
}

beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
    ...keys,
  });
  app = http.createServer((request, response) => {
    handleWithRoute(request, response).catch((error: unknown) =>
      response.writeHead(599).end(String(error)),
    );
  });
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  const appServeOrigin = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  serveUrl = `${appServeOrigin}/api/inngest`;

  // The app's environment as the launcher builds it, then the route and client loaded fresh under it.
  const appEnvironment = embeddedInngestEnvironment(
    { ...process.env, INNGEST_DEV: "" },
    { url: engine.url, keys, appServeOrigin },
  );
  for (const name of Object.keys(process.env))
    if (!(name in appEnvironment)) delete process.env[name];
  Object.assign(process.env, appEnvironment);
  vi.resetModules();
  route = (await import("@/app/api/inngest/route")) as unknown as typeof route;
  dispatcher = (await import("@/inngest/client")).inngest;
  await engine.watchApp(serveUrl);
});
afterAll(async () => {
  await engine.close();
  app.closeAllConnections();
  await new Promise((resolve) => app.close(resolve));
  await sql.end({ timeout: 5 });
  for (const name of Object.keys(process.env))
    if (!(name in environmentBefore)) delete process.env[name];
  Object.assign(process.env, environmentBefore);
});

/**
 * What the database holds that a request to the execution plane could change: the app's runs
 * and timelines, and the engine's apps, functions, events and runs. The app's cron functions
 * tick on their own, so their runs and events (and the fold's mark on runs) are left out.
 */
async function snapshot() {
  const run_skill = `${FUNCTION_ID}%`;
  return {
    // `rolled_up` is the dashboard fold's bookkeeping (a cron, every minute), not a run's state.
    skillRuns: await sql`select to_jsonb(r) - 'rolled_up' as run from skill_runs r order by id`,
    runEvents: await sql`select * from run_events order by id`,
    apps: await sql`select name, url, checksum, synced_at from inngest_engine.apps order by name`,
    functions: await sql`select slug, config, version from inngest_engine.functions order by slug`,
    events:
      await sql`select internal_id, payload from inngest_engine.events where name not like 'inngest/%' order by seq`,
    runs: await sql`select id, status, steps, stack, output from inngest_engine.runs where function_slug like ${run_skill} order by seq`,
    queue:
      await sql`select q.* from inngest_engine.queue q join inngest_engine.runs r on r.id = q.run_id where r.function_slug like ${run_skill} order by q.id`,
    dedupe:
      await sql`select key from inngest_engine.dedupe where key like ${run_skill} order by key`,
  };
}

/** Runs `request` and checks it changed nothing in the database; returns its answer. */
async function changesNothing(
  request: () => Promise<Response>,
): Promise<{ status: number; text: string; headers: Headers }> {
  const before = await snapshot();
  const response = await request();
  const answer = {
    status: response.status,
    text: await response.text(),
    headers: response.headers,
  };
  // Whatever a request set off would happen within moments; give it that long to show.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(await snapshot()).toEqual(before);
  return answer;
}

/** A run created but not dispatched: what an attacker would start outside the engine. */
async function queuedRun() {
  const { tenant, skill } = await createTenantWithSkill(db);
  const { run } = await createRun(db, {
    tenantId: tenant.id,
    skill: { id: skill.id },
    inputs: {},
    source: "manual",
  });
  return { runId: run.id, tenantId: tenant.id };
}

/**
 * The review's C1 request: a discovery call for run-skill naming a queued run. Run by the SDK,
 * it executes the first step at once (marks the run running, outside the engine's concurrency).
 */
function forgedExecution(ref: { runId: string; tenantId: string }) {
  const event = { name: "skill/run.requested", data: ref, id: ref.runId, ts: Date.now(), user: {} };
  return {
    event,
    events: [event],
    steps: {},
    ctx: {
      run_id: `01FORGED${randomUUID().replaceAll("-", "").slice(0, 18).toUpperCase()}`,
      attempt: 0,
      max_attempts: 1,
      disable_immediate_execution: false,
      use_api: false,
      stack: { stack: [], current: 0 },
    },
    version: 2,
  };
}

const executionUrl = () => `${serveUrl}?fnId=${FUNCTION_ID}&stepId=step`;
const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(executionUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
const otherKey = parseSigningKey(newSigningKey());
const minutes = (count: number) => count * 60_000;

describe("/api/inngest runs only what the engine signed (C1)", () => {
  it("refuses an execution request unsigned, signed with another key, over another body, expired, from the future or malformed: 401, nothing written", async () => {
    const ref = await queuedRun();
    const body = canonicalJson(forgedExecution(ref));
    const attempts: Record<string, Record<string, string>> = {
      unsigned: {},
      "another key": { "x-inngest-signature": signBody(body, otherKey) },
      "another body": {
        "x-inngest-signature": signBody(
          canonicalJson({ ...forgedExecution(ref), steps: { x: { data: 1 } } }),
          signingKey,
        ),
      },
      "replayed 6 min later": {
        "x-inngest-signature": signBody(body, signingKey, Date.now() - minutes(6)),
      },
      "dated 6 min ahead": {
        "x-inngest-signature": signBody(body, signingKey, Date.now() + minutes(6)),
      },
      "hashed key as the HMAC key": {
        "x-inngest-signature": signBody(body, { ...signingKey, hmacKey: signingKey.hashed }),
      },
      malformed: { "x-inngest-signature": "s=deadbeef" },
    };
    for (const [attempt, headers] of Object.entries(attempts)) {
      const answer = await changesNothing(() => post(body, headers));
      expect({ attempt, status: answer.status, body: answer.text }).toEqual({
        attempt,
        status: 401,
        body: '{"message":"Unauthorized"}',
      });
    }
    const [run] = await db
      .select({ status: skillRuns.status })
      .from(skillRuns)
      .where(eq(skillRuns.id, ref.runId));
    expect(run?.status).toBe("queued");
  });

  it("refuses the failure handler and the trust probe unsigned as well", async () => {
    const ref = await queuedRun();
    const failure = {
      ...forgedExecution(ref),
      event: {
        name: "inngest/function.failed",
        data: {
          function_id: FUNCTION_ID,
          run_id: "x",
          error: { message: "forged" },
          event: forgedExecution(ref).event,
        },
        id: "x",
        ts: Date.now(),
        user: {},
      },
    };
    const onFailure = await changesNothing(() =>
      fetch(`${serveUrl}?fnId=${FUNCTION_ID}-failure&stepId=step`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(failure),
      }),
    );
    expect(onFailure.status).toBe(401);
    const probe = await fetch(`${serveUrl}?probe=trust`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(probe.status).toBe(401);
  });

  it("GET /api/inngest reveals nothing without a valid signature", async () => {
    const refused: Record<string, string>[] = [
      {},
      { "x-inngest-signature": signBody("", otherKey) },
      { "x-inngest-signature": signBody("", signingKey, Date.now() - minutes(6)) },
    ];
    for (const headers of refused) {
      const response = await fetch(serveUrl, { headers });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('{"message":"Unauthorized"}');
      expect([...response.headers.keys()].filter((name) => name.startsWith("x-inngest-"))).toEqual([
        "x-inngest-sdk-handled",
      ]);
    }
    // The engine's own signature opens it: the refusals above are about the signature alone.
    const signed = await fetch(serveUrl, {
      headers: { "x-inngest-signature": signBody("", signingKey) },
    });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({
      authentication_succeeded: true,
      mode: "cloud",
      serve_origin: new URL(serveUrl).origin,
      serve_path: "/api/inngest",
    });
  });

  it("the engine's signed requests are accepted: a run started through the real client runs the real function to its end", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const { run } = await createRun(db, {
      tenantId: tenant.id,
      skill: { id: skill.id },
      inputs: {},
      source: "manual",
    });
    await dispatcher.send({
      name: "skill/run.requested",
      id: run.id,
      data: { runId: run.id, tenantId: tenant.id },
    });
    // No model provider is configured in tests: the turn fails with that reason, after the engine
    // ran mark-running, resolve-config, agent-turn and finish through the signed route.
    await vi.waitFor(
      async () => {
        const [row] = await db
          .select({ status: skillRuns.status, failureCode: skillRuns.failureCode })
          .from(skillRuns)
          .where(eq(skillRuns.id, run.id));
        expect(row).toEqual({ status: "failed", failureCode: "model_not_configured" });
      },
      { timeout: 20_000, interval: 100 },
    );
  });

  it("control: the forged request signed with the engine's key is executed, so the refusals above are the signature's doing", async () => {
    const ref = await queuedRun();
    const body = canonicalJson(forgedExecution(ref));
    const response = await post(body, { "x-inngest-signature": signBody(body, signingKey) });
    expect(response.status).toBe(206);
    const [run] = await db
      .select({ status: skillRuns.status })
      .from(skillRuns)
      .where(eq(skillRuns.id, ref.runId));
    expect(run?.status).toBe("running");
  });
});

describe("the app's URL comes from configuration, never from a request (C2)", () => {
  const forgedHosts: Record<string, string>[] = [
    { host: "evil.example" },
    { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    { host: "evil.example", "x-forwarded-host": "evil.example" },
  ];

  it("an unsigned PUT with a forged Host or X-Forwarded-Host is refused and the engine keeps the configured URL", async () => {
    for (const headers of forgedHosts) {
      for (const syncKind of [{}, { "x-inngest-sync-kind": "in_band" }] as Record<
        string,
        string
      >[]) {
        const answer = await changesNothing(() =>
          putWithHeaders(
            { ...headers, ...syncKind },
            JSON.stringify({ url: "http://evil.example/api/inngest" }),
          ),
        );
        expect({ headers, syncKind, status: answer.status }).toEqual({
          headers,
          syncKind,
          status: 401,
        });
      }
    }
    expect(await registeredUrls()).toEqual([serveUrl]);
  });

  it("even signed (a replay of the engine's own sync), a PUT with a forged Host registers the configured URL", async () => {
    const body = canonicalJson({ url: serveUrl });
    for (const headers of forgedHosts) {
      const answer = await changesNothing(() =>
        putWithHeaders({ ...headers, "x-inngest-signature": signBody(body, signingKey) }, body),
      );
      expect({ headers, status: answer.status, body: JSON.parse(answer.text) as unknown }).toEqual({
        headers,
        status: 200,
        body: { message: "Successfully registered", modified: false },
      });
    }
    expect(await registeredUrls()).toEqual([serveUrl]);
  });

  it("why it must be configured: the SDK left to itself registers whatever Host asked it to sync", async () => {
    // What `serve()` did before, in dev mode: a PUT with Host evil.example made the app tell its
    // Inngest server (here a recorder) to call http://evil.example/api/inngest for every step.
    const registered: string[] = [];
    const recorder = http.createServer((request, response) => {
      let text = "";
      request.on("data", (chunk: Buffer) => (text += chunk.toString()));
      request.on("end", () => {
        registered.push((JSON.parse(text) as { url: string }).url);
        response
          .writeHead(200, { "content-type": "application/json" })
          .end('{"ok":true,"modified":true,"status":200}');
      });
    });
    await new Promise<void>((resolve) => recorder.listen(0, "127.0.0.1", resolve));
    try {
      const client = new Inngest({
        id: "skillrun",
        isDev: true,
        baseUrl: `http://127.0.0.1:${(recorder.address() as AddressInfo).port}`,
      });
      const functions = [
        client.createFunction({ id: "noop", triggers: [{ event: "noop" }] }, async () => null),
      ];
      const forged = () =>
        new NextRequest(serveUrl, { method: "PUT", headers: { host: "evil.example" } });
      // As before the fix: no serveOrigin, and no INNGEST_SERVE_ORIGIN (the SDK reads it on every request).
      const configuredOrigin = process.env.INNGEST_SERVE_ORIGIN;
      delete process.env.INNGEST_SERVE_ORIGIN;
      try {
        expect((await serveNext({ client, functions }).PUT(forged(), {})).status).toBe(200);
      } finally {
        process.env.INNGEST_SERVE_ORIGIN = configuredOrigin;
      }
      const configured = serveNext({
        client,
        functions,
        serveOrigin: new URL(serveUrl).origin,
        servePath: "/api/inngest",
      });
      expect((await configured.PUT(forged(), {})).status).toBe(200);
      expect(registered).toEqual(["http://evil.example/api/inngest", serveUrl]);
    } finally {
      await new Promise((resolve) => recorder.close(resolve));
    }
  });

  async function registeredUrls() {
    const rows = await sql<
      { url: string }[]
    >`select config->'steps'->'step'->'runtime'->>'url' as url from inngest_engine.functions where app_name = 'skillrun'`;
    return [
      ...new Set(
        [
          ...(await sql<
            { url: string }[]
          >`select url from inngest_engine.apps where name = 'skillrun'`),
          ...rows,
        ].map((row) => new URL(row.url).origin + new URL(row.url).pathname),
      ),
    ];
  }

  function putWithHeaders(headers: Record<string, string>, body: string) {
    // fetch() will not send a Host of our choosing; node:http will, as any client on the network can.
    return new Promise<Response>((resolve, reject) => {
      const request = http.request(
        serveUrl,
        { method: "PUT", headers: { "content-type": "application/json", ...headers } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () =>
            resolve(
              new Response(Buffer.concat(chunks), {
                status: response.statusCode ?? 0,
                headers: response.headers as Record<string, string>,
              }),
            ),
          );
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }
});

describe("the engine's API wants its keys (M5)", () => {
  const wrongBearer = { authorization: `Bearer ${otherKey.hashed}` };

  it("events under another key are refused and neither stored nor run", async () => {
    const ref = await queuedRun();
    const event = JSON.stringify([{ name: "skill/run.requested", id: ref.runId, data: ref }]);
    for (const eventKey of ["NO_EVENT_KEY_SET", newEventKey(), keys.signingKey]) {
      const answer = await changesNothing(() =>
        fetch(new URL(`/e/${eventKey}`, engine.url), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: event,
        }),
      );
      expect(answer.status).toBe(401);
    }
  });

  it("registration and the REST API without the signing key, or with another, are refused and change nothing", async () => {
    const [someRun] = await sql<
      { id: string }[]
    >`select id from inngest_engine.runs where function_slug = ${FUNCTION_ID} limit 1`;
    const registration = JSON.stringify({
      url: "http://evil.example/api/inngest",
      deployType: "ping",
      framework: "nextjs",
      appName: "skillrun",
      functions: [],
      sdk: "js:v4.24.0",
      v: "0.1",
    });
    const requests: [string, RequestInit][] = [
      ["/fn/register", { method: "POST", body: registration }],
      [`/v1/runs/${someRun?.id ?? "none"}`, { method: "GET" }],
      [`/v1/runs/${someRun?.id ?? "none"}`, { method: "DELETE" }],
      [
        "/v1/cancellations",
        {
          method: "POST",
          body: JSON.stringify({
            app_id: "skillrun",
            function_id: "run-skill",
            started_before: new Date(Date.now() + 60_000).toISOString(),
          }),
        },
      ],
    ];
    for (const headers of [{}, { authorization: "Bearer undefined" }, wrongBearer]) {
      for (const [path, init] of requests) {
        const answer = await changesNothing(() =>
          fetch(new URL(path, engine.url), {
            ...init,
            headers: { "content-type": "application/json", ...headers },
          }),
        );
        expect({ path, method: init.method, headers, status: answer.status }).toEqual({
          path,
          method: init.method,
          headers,
          status: 401,
        });
      }
    }
    // With the key, a registration naming another host is still refused: the engine knows its app's URL.
    const pinned = await changesNothing(() =>
      fetch(new URL("/fn/register", engine.url), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${signingKey.hashed}`,
        },
        body: registration,
      }),
    );
    expect(pinned.status).toBe(403);
  });
});

it("the keys stay out of what the app answers", async () => {
  const answers = await Promise.all(
    [
      fetch(serveUrl),
      fetch(serveUrl, { headers: { "x-inngest-signature": signBody("", signingKey) } }),
    ].map(async (response) => (await response).text()),
  );
  for (const text of answers) {
    for (const secret of [keys.signingKey, signingKey.hmacKey, signingKey.hashed, keys.eventKey])
      expect(text).not.toContain(secret);
  }
});
