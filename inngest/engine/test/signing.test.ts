/**
 * Conformance: signed mode, as a self-hosted `inngest start --signing-key … --event-key …`.
 * The app side is the real SDK in cloud mode, which verifies every request the engine sends it
 * (`X-Inngest-Signature`) and authenticates its own calls with the hashed signing key. The
 * engine here is mid-rotation: it signs with NEW and still accepts OLD from the SDK.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { startEngine } from "@/inngest/engine";
import { parseSigningKey, signBody, SigningKeyError } from "@/inngest/engine/signing";
import { delay, setupEngine, startAppServer, uniqueName, type SyncMode } from "./harness";

const key = (env: string) => `signkey-${env}-${randomBytes(32).toString("hex")}`;
const OLD = key("prod");
const NEW = key("prod");
const EVENT_KEY = randomBytes(16).toString("hex");
const t = setupEngine({ keys: { signingKey: NEW, signingKeyFallback: OLD, eventKey: EVENT_KEY } });

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

const storedEvents = async (name: string) =>
  (
    await sql<
      { n: number }[]
    >`select count(*)::int as n from inngest_engine.events where payload->>'name' = ${name}`
  )[0]?.n;

describe.each<SyncMode>(["in_band", "out_of_band"])(
  "the real SDK in cloud mode against the signed engine (%s sync)",
  (mode) => {
    it("runs a function end to end: signed calls verified, events sent under the event key, steps and a sendEvent", async () => {
      const client = t.client(`signed-${mode}`);
      const first = uniqueName("signed/first");
      const second = uniqueName("signed/second");
      const calls = { first: 0, second: 0 };
      const emitter = client.createFunction(
        { id: "emitter", triggers: [{ event: first }] },
        async ({ event, step }) => {
          const doubled = await step.run("double", () => {
            calls.first++;
            return (event.data.n as number) * 2;
          });
          await step.sendEvent("forward", { name: second, data: { doubled } });
          return doubled;
        },
      );
      const receiver = client.createFunction(
        { id: "receiver", triggers: [{ event: second }] },
        async ({ event }) => {
          calls.second++;
          return event.data.doubled as number;
        },
      );
      await t.serve(client, [emitter, receiver], { sync: mode });

      const { ids } = await client.send({ name: first, data: { n: 21 } });
      const run = await t.finishedRunOf(ids[0]!, "Completed");
      expect(run.output).toBe(42);
      expect(calls).toEqual({ first: 1, second: 1 });
      expect(await storedEvents(second)).toBe(1);
    });
  },
);

describe("requests to the app are signed with the engine's key", () => {
  it("an app holding another key refuses the engine: the sync fails with 401 and nothing is registered", async () => {
    const client = t.client("wrong-key", {
      signingKey: key("prod"),
      signingKeyFallback: undefined,
    });
    const eventName = uniqueName("wrong-key/go");
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: eventName }] },
      async () => "ran",
    );
    const app = await startAppServer(client, [fn]);
    try {
      await expect(t.engine.syncApp(app.url)).rejects.toThrow(/failed: 401/);
      const [registered] = await sql<
        { n: number }[]
      >`select count(*)::int as n from inngest_engine.apps where name = ${client.id}`;
      expect(registered?.n).toBe(0);
    } finally {
      await app.close();
    }
  });

  it("rotation: an app already on the next key, with the engine's as its fallback, keeps running the engine's calls", async () => {
    // The app rotates first (new key + the engine's as fallback); its register call then fails
    // with its new key and succeeds on the retry the SDK makes with the fallback.
    const client = t.client("rotated-app", { signingKey: key("prod"), signingKeyFallback: NEW });
    const eventName = uniqueName("rotated/go");
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: eventName }] },
      async ({ step }) => step.run("only", () => "ran"),
    );
    await t.serve(client, [fn], { sync: "out_of_band" });
    const { ids } = await client.send({ name: eventName });
    expect((await t.finishedRunOf(ids[0]!, "Completed")).output).toBe("ran");
  });

  it("an app still on the old key registers through the engine's fallback", async () => {
    const client = t.client("old-key-app", { signingKey: OLD, signingKeyFallback: undefined });
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: uniqueName("old/go") }] },
      async () => "ok",
    );
    const app = await startAppServer(client, [fn]);
    try {
      // Out-of-band, unsigned PUT (the SDK's default allows it): the app then POSTs /fn/register with Bearer hashed(OLD).
      const put = await fetch(app.url, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(await put.json()).toMatchObject({ modified: true });
      expect(put.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe("the engine's API wants the keys", () => {
  const registration = (appName: string) => ({
    url: "http://127.0.0.1:9/api/inngest",
    deployType: "ping",
    framework: "nodejs",
    appName,
    functions: [],
    sdk: "js:v4.24.0",
    v: "0.1",
  });
  const register = (authorization: string | undefined, appName: string) =>
    fetch(new URL("/fn/register", t.url), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(authorization === undefined ? {} : { authorization }),
      },
      body: JSON.stringify(registration(appName)),
    });
  const appCount = async (appName: string) =>
    (
      await sql<
        { n: number }[]
      >`select count(*)::int as n from inngest_engine.apps where name = ${appName}`
    )[0]?.n;

  it("/fn/register: no key, the dev server's `Bearer undefined` or another key → 401 with `status` in the body, nothing stored", async () => {
    const appName = uniqueName("conformance-register-auth");
    for (const authorization of [
      undefined,
      "Bearer undefined",
      "Bearer",
      `Bearer ${parseSigningKey(key("prod")).hashed}`,
      `Basic ${NEW}`,
    ]) {
      const response = await register(authorization, appName);
      expect({ authorization, status: response.status }).toEqual({ authorization, status: 401 });
      expect(await response.json()).toMatchObject({ status: 401 });
    }
    expect(await appCount(appName)).toBe(0);
  });

  it("/fn/register: the hashed key (as the SDK sends it), the fallback's hash, or the plain key → registered", async () => {
    const hashed = `signkey-prod-${createHash("sha256")
      .update(Buffer.from(NEW.slice("signkey-prod-".length), "hex"))
      .digest("hex")}`;
    expect(parseSigningKey(NEW).hashed).toBe(hashed);
    for (const authorization of [
      `Bearer ${hashed}`,
      `Bearer ${parseSigningKey(OLD).hashed}`,
      `Bearer ${NEW}`,
    ]) {
      const appName = uniqueName("conformance-register-ok");
      const response = await register(authorization, appName);
      expect(response.status).toBe(200);
      expect(await appCount(appName)).toBe(1);
    }
  });

  it("/v1/*: without the key nothing is read or cancelled", async () => {
    const client = t.client("api-auth");
    const eventName = uniqueName("api/sleep");
    const fn = client.createFunction(
      { id: "sleeper", triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.sleep("nap", "1h");
      },
    );
    await t.serve(client, [fn]);
    const { ids } = await client.send({ name: eventName });
    const run = await t.runOf(ids[0]!);

    const wrong = { authorization: `Bearer ${parseSigningKey(key("prod")).hashed}` };
    for (const headers of [{}, wrong]) {
      for (const [path, init] of [
        [`/v1/runs/${run.run_id}`, {}],
        [`/v1/events/${ids[0]}`, {}],
        [`/v1/events/${ids[0]}/runs`, {}],
        ["/v1/apps/api-auth/functions", {}],
        [`/v1/runs/${run.run_id}`, { method: "DELETE" }],
        [
          "/v1/cancellations",
          {
            method: "POST",
            body: JSON.stringify({
              function_id: run.function_slug,
              started_before: new Date(Date.now() + 60_000).toISOString(),
            }),
          },
        ],
        [
          `/v1/runs/${run.run_id}/metadata`,
          {
            method: "POST",
            body: JSON.stringify({
              target: { run_id: run.run_id },
              metadata: [{ kind: "userland.x", op: "merge", values: { a: 1 } }],
            }),
          },
        ],
        ["/v0/runs/x/actions", {}],
      ] as const) {
        const response = await fetch(new URL(path, t.url), {
          ...init,
          headers: { "content-type": "application/json", ...headers },
        });
        expect({
          path,
          method: "method" in init ? init.method : "GET",
          status: response.status,
        }).toMatchObject({ status: 401 });
      }
    }
    expect((await t.getRun(run.run_id))?.status).toBe("Running");
    const metadataRows = await t.api<unknown>(`/v1/runs/${run.run_id}/metadata`, {
      method: "POST",
      body: JSON.stringify({
        target: { run_id: run.run_id },
        metadata: [{ kind: "userland.x", op: "merge", values: { a: 1 } }],
      }),
    });
    expect(metadataRows.httpStatus).toBe(200);
    const cancelled = await t.api<unknown>(`/v1/runs/${run.run_id}`, { method: "DELETE" });
    expect(cancelled.httpStatus).toBe(200);
  });

  it("/e/:key: another key → 401, the event is neither stored nor run; the event key → accepted", async () => {
    const client = t.client("event-key");
    const eventName = uniqueName("event-key/go");
    let calls = 0;
    const fn = client.createFunction(
      { id: "fn", triggers: [{ event: eventName }] },
      async () => ++calls,
    );
    await t.serve(client, [fn]);

    for (const wrongKey of [
      "NO_EVENT_KEY_SET",
      EVENT_KEY.slice(1),
      `${EVENT_KEY}x`,
      NEW,
      "%E0%A4%A",
    ]) {
      const response = await fetch(new URL(`/e/${wrongKey}`, t.url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify([{ name: eventName, data: {} }]),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ status: 401, ids: [] });
    }
    const devClient = t.client("event-key-dev", { eventKey: "some-other-key" });
    await expect(devClient.send({ name: eventName })).rejects.toThrow();
    await delay(300);
    expect(await storedEvents(eventName)).toBe(0);
    expect(calls).toBe(0);

    const [eventId] = await t.send({ name: eventName });
    await t.finishedRunOf(eventId!, "Completed");
    expect(calls).toBe(1);
  });
});

describe("keys", () => {
  it("a signing key must be hex after its prefix, and signed mode needs both keys", async () => {
    expect(() => parseSigningKey("signkey-prod-not-hex")).toThrow(SigningKeyError);
    expect(() => parseSigningKey("signkey-prod-abc")).toThrow(SigningKeyError);
    expect(parseSigningKey(`signkey-test-${"ab".repeat(32)}`).hmacKey).toBe("ab".repeat(32));
    const databaseUrl = process.env.DATABASE_URL ?? "";
    await expect(startEngine({ port: 0, databaseUrl, signingKey: NEW })).rejects.toThrow(
      /both a signing key and an event key/,
    );
    await expect(startEngine({ port: 0, databaseUrl, eventKey: EVENT_KEY })).rejects.toThrow(
      /both a signing key and an event key/,
    );
  });

  it("the signature is `t=<seconds>&s=<hex HMAC-SHA256 of body + t>`, keyed by the text after the prefix", () => {
    const signing = parseSigningKey(`signkey-prod-${"0f".repeat(32)}`);
    // The key is the hex text's bytes, not the bytes it encodes (the SDK signs with the string).
    const expected = createHmac("sha256", Buffer.from("0f".repeat(32), "utf8"))
      .update('{"a":1}1700000000')
      .digest("hex");
    expect(signBody('{"a":1}', signing, 1_700_000_000_500)).toBe(`t=1700000000&s=${expected}`);
  });
});
