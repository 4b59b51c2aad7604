/** The INNGEST_* settings that decide which Inngest server runs the app's functions. */
export type InngestSettings = {
  INNGEST_DEV?: string;
  INNGEST_BASE_URL?: string;
  INNGEST_SIGNING_KEY?: string;
  INNGEST_EVENT_KEY?: string;
};

/**
 * Which Inngest server runs the app's functions:
 * - `embedded`: nothing configured; the launcher starts the embedded engine and hands the app
 *   its URL and keys (so the app itself then sees `self_hosted`).
 * - `dev`: a developer's own `inngest dev` (INNGEST_DEV); the SDK checks no signatures.
 * - `self_hosted`: an Inngest-compatible server at INNGEST_BASE_URL (`inngest start`, `npm run
 *   engine`, or the launcher's embedded engine), signed with the two keys.
 * - `cloud`: Inngest Cloud, configured as Inngest documents it: the two keys and no URL.
 * - `misconfigured`: a combination the SDK would run in a way nobody asked for.
 */
export type InngestServer =
  | { kind: "embedded" }
  | { kind: "dev"; baseUrl: string }
  | { kind: "self_hosted"; baseUrl: string }
  | { kind: "cloud" }
  | { kind: "misconfigured"; problem: string };

const DEV_SERVER_DEFAULT_URL = "http://localhost:8288";

/** `1`/`true` or a URL ask the SDK for dev mode; `0`/`false`, like no value, for cloud mode. */
function devSetting(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed || /^(0|false)$/i.test(trimmed)) return undefined;
  return trimmed;
}

/** Where the SDK in dev mode sends its calls: INNGEST_BASE_URL, else INNGEST_DEV's URL, else the default. */
function devServerUrl(dev: string, baseUrl: string | undefined): string {
  if (baseUrl) return baseUrl;
  if (/^(1|true)$/i.test(dev)) return DEV_SERVER_DEFAULT_URL;
  try {
    return new URL(/^https?:\/\//i.test(dev) ? dev : `http://${dev}`).origin;
  } catch {
    return DEV_SERVER_DEFAULT_URL;
  }
}

const ENGINE_KEYS_HINT =
  "The embedded engine's own keys are SKILLRUN_ENGINE_SIGNING_KEY and SKILLRUN_ENGINE_EVENT_KEY.";

/**
 * The one place that decides, from configuration alone, which Inngest server the app uses: the
 * launcher (start an engine or not, register with which server), the app's Inngest client (dev
 * mode or not) and /api/health (what to probe) all ask it.
 */
export function inngestServerOf(settings: InngestSettings): InngestServer {
  const baseUrl = settings.INNGEST_BASE_URL || undefined;
  const dev = devSetting(settings.INNGEST_DEV);
  if (dev) return { kind: "dev", baseUrl: devServerUrl(dev, baseUrl) };

  const signingKey = Boolean(settings.INNGEST_SIGNING_KEY);
  const eventKey = Boolean(settings.INNGEST_EVENT_KEY);
  if (baseUrl) {
    return signingKey && eventKey
      ? { kind: "self_hosted", baseUrl }
      : {
          kind: "misconfigured",
          problem:
            "INNGEST_BASE_URL needs INNGEST_SIGNING_KEY and INNGEST_EVENT_KEY (the app runs the Inngest SDK in cloud mode, which verifies every request).",
        };
  }
  if (signingKey && eventKey) return { kind: "cloud" };
  if (signingKey || eventKey) {
    const [given, missing] = signingKey
      ? ["INNGEST_SIGNING_KEY", "INNGEST_EVENT_KEY"]
      : ["INNGEST_EVENT_KEY", "INNGEST_SIGNING_KEY"];
    return {
      kind: "misconfigured",
      problem: `${given} is set without ${missing}: Inngest Cloud needs both, a self-hosted server both and INNGEST_BASE_URL. ${ENGINE_KEYS_HINT}`,
    };
  }
  return { kind: "embedded" };
}
