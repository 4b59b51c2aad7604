import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";
import { appHealth, executionPlaneHealth } from "@/inngest/health";
import { inngestServerOf } from "@/inngest/inngest-server";
import { getDb } from "@/server/db";
import { env } from "@/server/env";

export const dynamic = "force-dynamic";

/**
 * Open to anyone, as load balancers and monitors call it; the body holds aggregates only.
 * `?scope=app`: the app answers and reaches its database (what a load balancer routes on, and
 * what the launcher waits for before it syncs). Otherwise the execution plane too: 503 when
 * runs do not execute (see `executionPlaneHealth`), for a monitor to page on.
 */
export async function GET(request: Request) {
  const report =
    new URL(request.url).searchParams.get("scope") === "app"
      ? await appHealth(getDb())
      : await executionPlaneHealth({
          db: getDb(),
          server: inngestServerOf(env),
          signingKey: env.INNGEST_SIGNING_KEY,
          appId: inngest.id,
          functionIds: functions.map((fn) => fn.id()),
          maxQueuedSeconds: env.SKILLRUN_HEALTH_MAX_QUEUED_SECONDS,
        });
  return Response.json(report, {
    status: report.status === "ok" ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}
