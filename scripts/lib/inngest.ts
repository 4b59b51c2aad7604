/**
 * How the launcher runs the embedded Inngest engine and the app against it: signed, like a
 * self-hosted `inngest start`, with the SDK in cloud mode. Apart from the launcher so the
 * tests configure the app exactly as `npm run dev` / `npm start` do.
 */
import { randomBytes } from "node:crypto";
import { canonicalJson, parseSigningKey, signBody } from "@/inngest/engine/signing";
import type { InngestServer } from "@/inngest/inngest-server";

export type InngestKeys = { signingKey: string; signingKeyFallback?: string; eventKey: string };

// The secret after the prefix is hex: the SDK hashes it as hex and signs with its text.
export const newSigningKey = () => `signkey-prod-${randomBytes(32).toString("hex")}`;
export const newEventKey = () => randomBytes(32).toString("hex");

/**
 * Settings that would put the SDK in dev mode (no signature checks), send its calls to another
 * server, or take its serve URL from somewhere else: the launcher's values replace them.
 */
const OVERRIDDEN = [
  "INNGEST_DEV",
  "INNGEST_API_BASE_URL",
  "INNGEST_EVENT_API_BASE_URL",
  "INNGEST_SERVE_HOST",
  "INNGEST_SERVE_PATH",
  "INNGEST_SIGNING_KEY_FALLBACK",
];

/** The app's environment with the embedded engine: cloud mode, the engine's keys, the configured serve origin. */
export function embeddedInngestEnvironment(
  inherited: NodeJS.ProcessEnv,
  engine: { url: string; keys: InngestKeys; appServeOrigin: string },
): NodeJS.ProcessEnv {
  const environment = { ...inherited };
  for (const name of OVERRIDDEN) delete environment[name];
  return {
    ...environment,
    INNGEST_BASE_URL: engine.url,
    INNGEST_SIGNING_KEY: engine.keys.signingKey,
    ...(engine.keys.signingKeyFallback
      ? { INNGEST_SIGNING_KEY_FALLBACK: engine.keys.signingKeyFallback }
      : {}),
    INNGEST_EVENT_KEY: engine.keys.eventKey,
    INNGEST_SERVE_ORIGIN: engine.appServeOrigin,
  };
}

/**
 * Registers the app with an external Inngest server, as `curl -X PUT <serve url>` after a deploy
 * does: the app's SDK then posts its functions to the server's `/fn/register` under its signing
 * key (an out-of-band sync). The PUT is signed because the app refuses unsigned syncs in cloud
 * mode; in dev mode (no key) nothing is checked.
 */
export async function registerApp(
  serveUrl: string,
  signingKey: string | undefined,
): Promise<{ modified: boolean }> {
  const body = canonicalJson({});
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (signingKey) headers["x-inngest-signature"] = signBody(body, parseSigningKey(signingKey));
  const response = await fetch(serveUrl, {
    method: "PUT",
    headers,
    body,
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let answer: { message?: unknown; modified?: unknown } = {};
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    // Not the SDK's JSON (a proxy's error page, say): the status and text say enough.
  }
  if (!response.ok) {
    const reason = typeof answer.message === "string" ? answer.message : text.slice(0, 300);
    throw new Error(`${response.status} ${reason}`);
  }
  return { modified: answer.modified === true };
}

export function describeInngestServer(server: InngestServer): string {
  switch (server.kind) {
    case "cloud":
      return "Inngest Cloud (INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY, no INNGEST_BASE_URL)";
    case "self_hosted":
      return `the self-hosted server at ${server.baseUrl} (INNGEST_BASE_URL)`;
    case "dev":
      return `the Inngest Dev Server at ${server.baseUrl} (INNGEST_DEV)`;
    case "embedded":
      return "the embedded engine";
    case "misconfigured":
      return server.problem;
  }
}

/** Inngest Cloud calls the app from the internet: a loopback serve URL is one it never reaches. */
export function unreachableServeUrlProblem(server: InngestServer, serveUrl: string): string | null {
  if (server.kind !== "cloud") return null;
  const { hostname } = new URL(serveUrl);
  const loopback = hostname === "localhost" || hostname.startsWith("127.") || hostname === "[::1]";
  return loopback
    ? `Inngest Cloud cannot reach ${serveUrl}: set INNGEST_SERVE_ORIGIN (or BETTER_AUTH_URL) to the app's public address.`
    : null;
}

/**
 * An external server learns the app's functions only from a sync; the launcher asks the app to
 * register itself there, so a deploy needs no dashboard click or curl. A few tries cover a server
 * that starts alongside the app; after that the app keeps serving, and /api/health shows that
 * nothing runs.
 */
export async function registerWithServer(options: {
  server: InngestServer;
  localServeUrl: string;
  publicServeUrl: string;
  signingKey: string | undefined;
  say: (message: string) => void;
  complain: (message: string) => void;
  attempts?: number;
  retryDelayMs?: number;
}): Promise<boolean> {
  const { server, publicServeUrl } = options;
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      const { modified } = await registerApp(options.localServeUrl, options.signingKey);
      options.say(
        `app registered with ${describeInngestServer(server)} as ${publicServeUrl}${modified ? "" : " (unchanged)"}`,
      );
      return true;
    } catch (error) {
      if (attempt < attempts) {
        await new Promise((resolve) =>
          setTimeout(resolve, (options.retryDelayMs ?? 2_000) * attempt),
        );
        continue;
      }
      options.complain(
        `could not register the app with ${describeInngestServer(server)}: ${(error as Error).message}. ` +
          `No function runs until it is registered: check the server's address and INNGEST_SIGNING_KEY, and that it reaches ${publicServeUrl} (INNGEST_SERVE_ORIGIN); ` +
          "then restart, or sync the app from the server (Inngest Cloud's dashboard, `inngest start --sdk-url`).",
      );
      return false;
    }
  }
}
