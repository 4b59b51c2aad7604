import { Inngest } from "inngest";

/**
 * The app's Inngest client. Dev mode and the server URL come from INNGEST_DEV (the launcher
 * points it at the embedded engine) or INNGEST_BASE_URL + keys for a real Inngest server.
 */
export const inngest = new Inngest({ id: "skillrun" });
