/**
 * What every app the e2e suites start runs on, whatever the shell exports: the embedded engine
 * in signed mode (no Inngest Dev Server, no external Inngest), and no telemetry.
 */
export const EMBEDDED_ENGINE_ENV = {
  INNGEST_DEV: "",
  INNGEST_BASE_URL: "",
  INNGEST_API_BASE_URL: "",
  INNGEST_EVENT_API_BASE_URL: "",
  INNGEST_SIGNING_KEY_FALLBACK: "",
  // Alone, an external server's keys mean Inngest Cloud (inngest/inngest-server.ts).
  INNGEST_SIGNING_KEY: "",
  INNGEST_EVENT_KEY: "",
  NEXT_TELEMETRY_DISABLED: "1",
} as const;

/**
 * The suite's app judges alert rules this often (SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS) instead
 * of every minute: the alerts spec waits for judging rounds, a few seconds each.
 */
export const ALERTS_EVALUATE_EVERY_SECONDS = 5;
