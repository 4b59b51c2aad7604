/**
 * Dev-only: a stand-in for the few `inngest dev` reads the inngest-js suites make (its
 * `src/test/helpers.ts` and `@inngest/test-harness`), in front of the embedded engine. It listens
 * where the suites expect the dev server (:8288) and
 *
 * - forwards every other route (`/e/:key`, `/fn/register`, `/v1/*`, …) to the engine;
 * - rewrites a registration's app URLs to `/__app/…` on itself, so it sees each SDK request and
 *   its answer (and each checkpoint) and keeps a step timeline per run (timeline.ts);
 * - answers `POST /v0/gql` and `GET /dev` (gql-fields.ts).
 *
 * Not part of `npm test`: `scripts/sdk-suites/run.ts` starts it (see inngest/engine/README.md,
 * "Running the SDK's own suites").
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type postgres from "postgres";
import { GqlFields, type RegisteredApp, type RegisteredFunction } from "./gql-fields";
import { RunTimelines, isObject, parseJson, type Json } from "./timeline";

export type GqlStandin = { url: string; close: () => Promise<void> };

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** Forwards a request's method, headers and body to `target`. */
function forward(request: http.IncomingMessage, target: string | URL, body: Buffer | string) {
  const headers = new Headers();
  for (const [key, value] of Object.entries(request.headers)) {
    if (value === undefined || ["host", "content-length", "connection"].includes(key)) continue;
    headers.set(key, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = request.method ?? "GET";
  const withBody = method !== "GET" && method !== "HEAD";
  return fetch(target, {
    method,
    headers,
    body: withBody ? (typeof body === "string" ? body : new Uint8Array(body)) : undefined,
  });
}

/** Relays `upstream` as the answer; returns its body. */
async function relay(response: http.ServerResponse, upstream: Response): Promise<string> {
  const text = await upstream.text();
  const headers: Record<string, string> = {};
  upstream.headers.forEach((value, key) => {
    if (!["content-length", "content-encoding", "transfer-encoding", "connection"].includes(key))
      headers[key] = value;
  });
  response.writeHead(upstream.status, headers);
  response.end(text);
  return text;
}

function reply(response: http.ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** A 201 streamed SDK answer carries its real status and body after the heartbeats. */
function unwrapSdkAnswer(status: number, text: string): { status: number; body: Json } {
  if (status !== 201) return { status, body: parseJson(text) };
  const envelope = parseJson(text.trimStart());
  if (!isObject(envelope) || typeof envelope.status !== "number") return { status, body: null };
  const body = typeof envelope.body === "string" ? parseJson(envelope.body) : null;
  return { status: envelope.status, body };
}

class Standin {
  readonly timelines = new RunTimelines();
  readonly apps = new Map<string, RegisteredApp>();
  readonly fields: GqlFields;
  selfOrigin = "";

  constructor(
    private readonly engineUrl: string,
    sql: postgres.Sql,
  ) {
    this.fields = new GqlFields(engineUrl, sql, this.timelines, this.apps);
  }

  private proxied(url: string): string {
    const target = new URL(url);
    const query = target.search;
    target.search = "";
    return `${this.selfOrigin}/__app/${Buffer.from(target.toString()).toString("base64url")}${query}`;
  }

  /** Registration: remember the app as it names itself; point the engine at the proxy path. */
  async register(request: http.IncomingMessage, response: http.ServerResponse, raw: Buffer) {
    const body = parseJson(raw.toString());
    if (!isObject(body) || typeof body.url !== "string" || !Array.isArray(body.functions))
      return relay(response, await forward(request, `${this.engineUrl}/fn/register`, raw));
    const appUrl = body.url;
    const functions = body.functions.filter(isObject) as unknown as RegisteredFunction[];
    this.apps.set(typeof body.appName === "string" ? body.appName : appUrl, {
      url: appUrl,
      functions,
    });
    const rewritten = {
      ...body,
      url: this.proxied(appUrl),
      functions: functions.map((fn) => ({
        ...fn,
        steps: Object.fromEntries(
          Object.entries(fn.steps ?? {}).map(([key, step]) => [
            key,
            {
              ...step,
              runtime: { ...step.runtime, url: this.proxied(step.runtime?.url ?? appUrl) },
            },
          ]),
        ),
      })),
    };
    const upstream = await forward(
      request,
      `${this.engineUrl}/fn/register`,
      JSON.stringify(rewritten),
    );
    return relay(response, upstream);
  }

  /** An engine → app request: forwarded; its attempt and the answer's ops go to the timeline. */
  async appCall(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    target: URL,
    raw: Buffer,
  ) {
    const body = parseJson(raw.toString());
    const ctx = isObject(body) && isObject(body.ctx) ? body.ctx : {};
    const runId = request.method === "POST" && typeof ctx.run_id === "string" ? ctx.run_id : "";
    if (runId && isObject(body)) {
      this.timelines.setAttempt(runId, typeof ctx.attempt === "number" ? ctx.attempt : 0);
      this.timelines.settleWaits(runId, body.steps ?? null);
    }
    const upstream = await forward(request, target, raw);
    const text = await relay(response, upstream);
    const answer = unwrapSdkAnswer(upstream.status, text);
    if (runId && answer.status === 206) this.timelines.recordOps(runId, answer.body);
  }

  async handle(request: http.IncomingMessage, response: http.ServerResponse) {
    const url = new URL(request.url ?? "/", "http://standin");
    const parts = url.pathname.split("/").filter(Boolean);
    const raw = await readBody(request);
    if (request.method === "GET" && url.pathname === "/dev")
      return reply(response, 200, this.fields.dev());
    if (request.method === "POST" && url.pathname === "/v0/gql") {
      try {
        return reply(response, 200, { data: await this.fields.answer(parseJson(raw.toString())) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return reply(response, 200, { data: null, errors: [{ message }] });
      }
    }
    if (request.method === "POST" && url.pathname === "/fn/register")
      return this.register(request, response, raw);
    if (parts[0] === "__app" && parts[1]) {
      const target = new URL(Buffer.from(parts[1], "base64url").toString());
      target.search = url.search;
      return this.appCall(request, response, target, raw);
    }
    if (request.method === "POST" && parts[0] === "v1" && parts[1] === "checkpoint" && parts[2]) {
      const body = parseJson(raw.toString());
      if (isObject(body))
        this.timelines.recordOps(decodeURIComponent(parts[2]), body.steps ?? null);
    }
    await relay(
      response,
      await forward(request, `${this.engineUrl}${url.pathname}${url.search}`, raw),
    );
  }
}

export async function startGqlStandin(options: {
  port: number;
  engineUrl: string;
  sql: postgres.Sql;
}): Promise<GqlStandin> {
  const standin = new Standin(options.engineUrl, options.sql);
  const handler: http.RequestListener = (request, response) => {
    standin.handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.end();
      reply(response, 502, { error: error instanceof Error ? error.message : String(error) });
    });
  };
  const listen = (server: http.Server, host: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
  const server = http.createServer(handler);
  await listen(server, "127.0.0.1", options.port);
  const { port } = server.address() as AddressInfo;
  // Loopback only. The suites call `localhost`, which may resolve to ::1 first: also listen
  // there when the machine has IPv6 loopback.
  const servers = [server];
  const ipv6 = http.createServer(handler);
  try {
    await listen(ipv6, "::1", port);
    servers.push(ipv6);
  } catch {
    // no IPv6 loopback: `localhost` is 127.0.0.1 here
  }
  standin.selfOrigin = `http://127.0.0.1:${port}`;
  const closeOne = (one: http.Server) =>
    new Promise<void>((resolve) => {
      one.close(() => resolve());
      one.closeAllConnections();
    });
  return {
    url: standin.selfOrigin,
    close: async () => {
      await Promise.all(servers.map(closeOne));
    },
  };
}
