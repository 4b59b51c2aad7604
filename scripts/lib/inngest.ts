/**
 * How the launcher runs the embedded Inngest engine and the app against it: signed, like a
 * self-hosted `inngest start`, with the SDK in cloud mode. Apart from the launcher so the
 * tests configure the app exactly as `npm run dev` / `npm start` do.
 */
import { randomBytes } from "node:crypto";

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
