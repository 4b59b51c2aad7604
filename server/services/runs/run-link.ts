import "server-only";
import { env } from "@/server/env";

/** The run's page in the console, by the app's configured URL; null when none is configured. */
export function runLink(runId: string): string | null {
  return env.BETTER_AUTH_URL ? new URL(`/runs/${runId}`, env.BETTER_AUTH_URL).toString() : null;
}
