import { Inngest } from "inngest";

/**
 * The app's Inngest client, in cloud mode: INNGEST_BASE_URL, INNGEST_SIGNING_KEY and
 * INNGEST_EVENT_KEY name the server and its keys (the launcher sets them for the embedded
 * engine; a self-hosted `inngest start` or Inngest Cloud take the same three). Requests to
 * /api/inngest are then verified against the signing key. INNGEST_DEV (no verification) is
 * only for a developer's own `inngest dev`.
 */
export const inngest = new Inngest({ id: "skillrun" });
