/**
 * Conformance: an engine given its app's URL (`-u`, or `watchApp`) calls that URL only. The
 * engine sends every run's event and memoized step state to the URLs a registration names and
 * stores what comes back, so a registration naming another host must change nothing (review
 * finding C2). Dev mode here: the pinning holds with or without keys.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { beforeAll, describe, expect, it } from "vitest";
import { setupEngine, startAppServer, uniqueName, type AppServer } from "./harness";

const t = setupEngine();
let app: AppServer;
let eventName: string;
let appName: string;
let calls = 0;

/** A listener standing in for an attacker's host: it counts what the engine sends it. */
async function decoy(): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = http.createServer((request, response) => {
    hits++;
    request.resume();
    response
      .writeHead(200, { "content-type": "application/json", "x-inngest-sdk": "inngest-js:v4.24.0" })
      .end('"hijacked"');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  const client = t.client("pinned");
  appName = client.id;
  eventName = uniqueName("pinned/go");
  const fn = client.createFunction(
    { id: "fn", triggers: [{ event: eventName }] },
    async () => ++calls,
  );
  app = await t.serve(client, [fn], { sync: false });
  await t.engine.watchApp(app.url);
});

const register = (url: string, stepUrl = url) =>
  t.api<{ status?: number; error?: string }>("/fn/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      url,
      deployType: "ping",
      framework: "nodejs",
      appName,
      functions: [
        {
          id: `${appName}-fn`,
          name: "fn",
          triggers: [{ event: eventName }],
          steps: {
            step: {
              id: "step",
              name: "step",
              runtime: { type: "http", url: `${stepUrl}?fnId=${appName}-fn&stepId=step` },
            },
          },
        },
      ],
      sdk: "js:v4.24.0",
      v: "0.1",
    }),
  });

describe("registrations name the configured app URL or are refused", () => {
  it("a registration naming another host → 403 (with `status`), and runs still go to the configured URL", async () => {
    const attacker = await decoy();
    try {
      for (const [url, stepUrl] of [
        [attacker.url, attacker.url],
        // The app's own URL up front, another host in the step URL the engine actually calls.
        [app.url, attacker.url],
        // Same host, another path.
        [
          app.url.replace("/api/inngest", "/elsewhere"),
          app.url.replace("/api/inngest", "/elsewhere"),
        ],
      ]) {
        const answer = await register(url!, stepUrl);
        expect(answer.httpStatus).toBe(403);
        expect(answer.body.status).toBe(403);
      }
      const before = calls;
      const [eventId] = await t.send({ name: eventName });
      await t.finishedRunOf(eventId!, "Completed");
      expect(calls).toBe(before + 1);
      expect(attacker.hits()).toBe(0);
    } finally {
      await attacker.close();
    }
  });

  it("the app itself re-registering (its URL, any query string) is accepted", async () => {
    const answer = await register(`${app.url}?deployId=redeploy-1`);
    expect(answer.httpStatus).toBe(200);
    // Through the SDK: an out-of-band PUT makes the app POST /fn/register with the URL it was asked on.
    const put = await fetch(app.url, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(put.status).toBe(200);
  });

  it("an app answering a sync with another URL than the one synced is not registered", async () => {
    const client = new Inngest({
      id: uniqueName("conformance-elsewhere"),
      isDev: true,
      baseUrl: t.url,
    });
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: uniqueName("elsewhere/go") }] },
      async () => "ok",
    );
    // serveOrigin makes the app name an origin other than the one the engine reaches it on.
    const handler = serve({ client, functions: [fn], serveOrigin: "http://127.0.0.2:9" });
    const server = http.createServer((request, response) => void handler(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
    try {
      await expect(t.engine.syncApp(url)).rejects.toThrow(/INNGEST_SERVE_ORIGIN/);
      const other = await startAppServer(client, [fn]);
      try {
        await expect(t.engine.syncApp(other.url)).resolves.toBeUndefined();
      } finally {
        await other.close();
      }
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("watchApp keeps the app it was given", () => {
  it("an app that does not answer its first sync is synced by the poller once it does", async () => {
    // `next dev` compiles /api/inngest on its first request, which can outlast the first sync.
    const client = t.client("late");
    const lateEvent = uniqueName("late/go");
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: lateEvent }] },
      async () => "ok",
    );
    const handler = serve({ client, functions: [fn] });
    let answering = false;
    const server = http.createServer((request, response) => {
      if (answering) void handler(request, response);
      else response.writeHead(503).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/inngest`;
    try {
      await expect(t.engine.watchApp(url)).rejects.toThrow();
      answering = true;
      await expect
        .poll(
          async () => {
            const [eventId] = await t.send({ name: lateEvent });
            return t.finishedRunOf(eventId!, "Completed", 1_000).then(
              () => true,
              () => false,
            );
          },
          { timeout: 15_000 },
        )
        .toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
