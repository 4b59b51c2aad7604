import { Inngest } from "inngest";
import { env } from "@/server/env";
import { inngestServerOf } from "./inngest-server";

/**
 * The app's Inngest client. Dev mode (no signature checks) only for a developer's own
 * `inngest dev` (INNGEST_DEV); otherwise cloud mode, which verifies every request to
 * /api/inngest against INNGEST_SIGNING_KEY: Inngest Cloud (the two keys), a self-hosted
 * server at INNGEST_BASE_URL, or the embedded engine (the launcher sets all three).
 * `inngestServerOf` decides, as it does for the launcher and /api/health.
 */
export const inngest = new Inngest({
  id: "skillrun",
  isDev: inngestServerOf(env).kind === "dev",
});
