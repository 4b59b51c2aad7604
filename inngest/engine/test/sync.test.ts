/**
 * Conformance: app sync, in-band and out-of-band (spec §2, §11.1, §11.4).
 */
import { describe, expect, it } from "vitest";
import { delay, startAppServer, uniqueName, setupEngine, type SyncMode } from "./harness";

const t = setupEngine();

type PutAnswer = { message?: string; modified?: boolean };

/** What the dev server does for an out-of-band sync: PUT the app, which then POSTs /fn/register. */
async function putApp(appUrl: string, serverKind = "dev") {
  const response = await fetch(appUrl, {
    method: "PUT",
    headers: { "content-type": "application/json", "x-inngest-server-kind": serverKind },
    body: JSON.stringify({ url: appUrl }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: JSON.parse(text) as PutAnswer,
    syncKind: response.headers.get("x-inngest-sync-kind"),
  };
}

describe.each<SyncMode>(["in_band", "out_of_band"])("sync (%s)", (mode) => {
  it("the engine knows the synced functions: an event triggers them", async () => {
    const client = t.client(`sync-${mode}`);
    const eventName = uniqueName("sync/go");
    let calls = 0;
    const fn = client.createFunction(
      { id: "hello", triggers: [{ event: eventName }] },
      async ({ event }) => {
        calls++;
        return `hello ${event.data.who as string}`;
      },
    );
    const app = await t.serve(client, [fn], { sync: mode });
    expect(app.requests.PUT).toBeGreaterThanOrEqual(1);

    const [eventId] = await t.send({ name: eventName, data: { who: mode } });
    const run = await t.finishedRunOf(eventId!, "Completed");
    expect(run.output).toBe(`hello ${mode}`);
    expect(run.function_slug).toBe(`${client.id}-hello`);
    expect(calls).toBe(1);
  });

  it("a re-sync replaces the function set: a removed function no longer triggers, calls go to the new URL", async () => {
    const client = t.client(`resync-${mode}`);
    const keepEvent = uniqueName("resync/keep");
    const dropEvent = uniqueName("resync/drop");
    const calls = { keep: 0, drop: 0 };
    const keep = client.createFunction(
      { id: "keep", triggers: [{ event: keepEvent }] },
      async () => ++calls.keep,
    );
    const drop = client.createFunction(
      { id: "drop", triggers: [{ event: dropEvent }] },
      async () => ++calls.drop,
    );

    const first = await t.serve(client, [keep, drop], { sync: mode });
    const [dropBefore] = await t.send({ name: dropEvent });
    await t.finishedRunOf(dropBefore!, "Completed");
    expect(calls.drop).toBe(1);

    // The same app (same client id) redeployed at another URL without `drop`.
    const second = await t.serve(client, [keep], { sync: mode });
    const firstPosts = first.requests.POST;
    const [dropAfter] = await t.send({ name: dropEvent });
    const [keepAfter] = await t.send({ name: keepEvent });
    await t.finishedRunOf(keepAfter!, "Completed");
    expect(second.requests.POST).toBeGreaterThan(0);
    expect(first.requests.POST).toBe(firstPosts);

    // Proving a negative: give a wrongly started `drop` run time to show up.
    await delay(400);
    expect(await t.runsForEvent(dropAfter!)).toEqual([]);
    expect(calls.drop).toBe(1);
  });
});

describe("out-of-band registration (POST /fn/register)", () => {
  it("the SDK's PUT answer reflects the register reply: 200 registered, then unchanged on an identical sync", async () => {
    const client = t.client("oob-put");
    const eventName = uniqueName("oob/go");
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: eventName }] },
      async () => "ok",
    );
    const app = await startAppServer(client, [fn]);
    try {
      const first = await putApp(app.url);
      expect(first).toMatchObject({
        status: 200,
        syncKind: "out_of_band",
        body: { modified: true },
      });
      const second = await putApp(app.url);
      expect(second).toMatchObject({ status: 200, body: { modified: false } });

      const [eventId] = await t.send({ name: eventName });
      expect((await t.finishedRunOf(eventId!, "Completed")).output).toBe("ok");
    } finally {
      await app.close();
    }
  });

  it("a rejected registration carries `status` in its body, so the SDK answers the PUT with that status", async () => {
    const client = t.client("oob-reject");
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: uniqueName("oob/reject") }] },
      async () => "ok",
    );
    const app = await startAppServer(client, [fn]);
    try {
      // The SDK forwards the server kind as x-inngest-expected-server-kind; a dev engine refuses "cloud" (§2.2.5).
      const answer = await putApp(app.url, "cloud");
      expect(answer.status).toBe(400);
      expect(answer.body.modified).toBe(false);
    } finally {
      await app.close();
    }
  });

  it("the register reply is JSON with a numeric `status` equal to the HTTP status", async () => {
    const appName = uniqueName("conformance-raw-register");
    const request = {
      url: "http://127.0.0.1:9/api/inngest",
      deployType: "ping",
      framework: "nodejs",
      appName,
      functions: [],
      sdk: "js:v4.24.0",
      v: "0.1",
    };
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      t.api<{ status?: unknown; error?: unknown; modified?: unknown }>("/fn/register", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: "Bearer undefined",
          ...headers,
        },
        body: JSON.stringify(body),
      });

    const ok = await post(request);
    expect(ok.httpStatus).toBe(200);
    expect(ok.body.status).toBe(200);
    expect(ok.body.modified).toBe(true);

    const wrongKind = await post(request, { "x-inngest-expected-server-kind": "cloud" });
    expect(wrongKind.httpStatus).toBe(400);
    expect(wrongKind.body.status).toBe(400);
    expect(typeof wrongKind.body.error).toBe("string");

    const noName = await post({ ...request, appName: "" });
    expect(noName.httpStatus).toBe(400);
    expect(noName.body.status).toBe(400);
  });
});
