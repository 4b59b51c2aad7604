import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { appHealth, executionPlaneHealth, sharedReport } from "@/inngest/health";
import { inngestServerOf } from "@/inngest/inngest-server";
import { getDb } from "@/server/db";
import { env } from "@/server/env";

export const dynamic = "force-dynamic";

const executionPlaneReport = sharedReport(
  () =>
    executionPlaneHealth({
      db: getDb(),
      server: inngestServerOf(env),
      signingKey: env.INNGEST_SIGNING_KEY,
      appId: inngest.id,
      functionIds: functions.map((fn) => fn.id()),
      maxQueuedSeconds: env.SKILLRUN_HEALTH_MAX_QUEUED_SECONDS,
    }),
  // A red plane turns green the moment the engine syncs: whoever waits on it sees that at once.
  { keep: (report) => report.status === "ok" },
);

/**
 * Open to anyone, as load balancers and monitors call it; the body holds aggregates only.
 * `?scope=app`: the app answers and reaches its database (what a load balancer routes on, and
 * what the launcher waits for before it syncs). Otherwise the execution plane too: 503 when
 * runs do not execute (see `executionPlaneHealth`), for a monitor to page on; that report is
 * computed at most once every 5 s while healthy, and once at a time otherwise
 * (`sharedReport`), whoever asks how often.
 */
export async function GET(request: Request) {
  const report =
    new URL(request.url).searchParams.get("scope") === "app"
      ? await appHealth(getDb())
      : await executionPlaneReport();
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
