/**
 * The launcher's registration with an external server (scripts/lib/inngest.ts `registerApp`):
 * a signed PUT to the app, which then registers its functions with the server itself — here the
 * real engine, running signed as a self-hosted `inngest start` would, and an app served by the
 * SDK in cloud mode that refuses unsigned syncs, as `app/api/inngest/route.ts` does.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Inngest, type Logger } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { parseSigningKey } from "@/inngest/engine/signing";
import { newEventKey, newSigningKey, registerApp, registerWithServer } from "./inngest";

const keys = { signingKey: newSigningKey(), eventKey: newEventKey() };
const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
let engine: Engine;
let app: http.Server;
let serveUrl: string;

beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    ...keys,
    pollIntervalSeconds: 0,
    log: () => {},
  });
  const client = new Inngest({
    id: "register-test",
    isDev: false,
    baseUrl: engine.url,
    signingKey: keys.signingKey,
    eventKey: keys.eventKey,
    // The refusals below are expected; the SDK would log each.
    logger: silentLogger,
  });
  const fn = client.createFunction(
    { id: "noop", triggers: [{ event: "test/noop" }] },
    async () => "done",
  );
  const handler = serve({ client, functions: [fn], enableUnauthedSync: false });
  app = http.createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  serveUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`;
});
afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
  await engine.close();
});

async function registeredSlugs(): Promise<string[]> {
  const response = await fetch(`${engine.url}/v1/apps/register-test/functions`, {
    headers: { authorization: `Bearer ${parseSigningKey(keys.signingKey).hashed}` },
  });
  const body = (await response.json()) as { data: { slug: string }[] };
  return body.data.map((fn) => fn.slug);
}

describe("registerApp", () => {
  it("refuses, with the app's answer, a PUT signed with another key or none", async () => {
    await expect(registerApp(serveUrl, newSigningKey())).rejects.toThrow(/^401 /);
    await expect(registerApp(serveUrl, undefined)).rejects.toThrow(/^401 /);
    expect(await registeredSlugs()).toEqual([]);
  });

  it("has the app register its functions with the server", async () => {
    await expect(registerApp(serveUrl, keys.signingKey)).resolves.toEqual({ modified: true });
    expect(await registeredSlugs()).toEqual(["register-test-noop"]);
    // A second start with the same functions changes nothing.
    await expect(registerApp(serveUrl, keys.signingKey)).resolves.toEqual({ modified: false });
  });
});

describe("registerWithServer", () => {
  const server = { kind: "self_hosted", baseUrl: "http://inngest.internal:8288" } as const;

  it("says where the app was registered", async () => {
    const said: string[] = [];
    const ok = await registerWithServer({
      server,
      localServeUrl: serveUrl,
      publicServeUrl: "https://skillrun.example.com/api/inngest",
      signingKey: keys.signingKey,
      say: (message) => said.push(message),
      complain: (message) => said.push(`error: ${message}`),
    });
    expect(ok).toBe(true);
    expect(said).toEqual([
      "app registered with the self-hosted server at http://inngest.internal:8288 (INNGEST_BASE_URL) as https://skillrun.example.com/api/inngest (unchanged)",
    ]);
  });

  it("gives up after its tries with an error naming what to check", async () => {
    const complaints: string[] = [];
    const ok = await registerWithServer({
      server,
      localServeUrl: serveUrl,
      publicServeUrl: "https://skillrun.example.com/api/inngest",
      signingKey: newSigningKey(),
      say: () => {},
      complain: (message) => complaints.push(message),
      attempts: 2,
      retryDelayMs: 1,
    });
    expect(ok).toBe(false);
    expect(complaints).toEqual([
      expect.stringMatching(
        /^could not register the app with the self-hosted server .*: 401 .*INNGEST_SIGNING_KEY.*INNGEST_SERVE_ORIGIN/,
      ),
    ]);
  });
});
