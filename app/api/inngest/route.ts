import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { INNGEST_SERVE_PATH, inngestServeOrigin } from "@/inngest/serve-url";

export const dynamic = "force-dynamic";

export const { GET, POST, PUT } = serve({
  client: inngest,
  functions,
  serveOrigin: inngestServeOrigin(),
  servePath: INNGEST_SERVE_PATH,
  // In cloud mode every request, syncs included, must be signed by the Inngest server; the
  // default would let anyone make the app re-register itself.
  enableUnauthedSync: false,
});
