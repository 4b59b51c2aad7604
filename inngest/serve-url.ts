import { env } from "@/server/env";

/** Where `app/api/inngest/route.ts` is mounted. */
export const INNGEST_SERVE_PATH = "/api/inngest";

/**
 * The origin the Inngest server is told to call the app at, from configuration only: the SDK
 * would otherwise build it from the `Host` of whichever request asked it to sync, and the
 * server then sends every run's step state there.
 */
export function inngestServeOrigin(): string {
  const configured = env.INNGEST_SERVE_ORIGIN ?? env.BETTER_AUTH_URL;
  return configured ? new URL(configured).origin : `http://localhost:${env.PORT}`;
}
