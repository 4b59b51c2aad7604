import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import type { RunDispatcher } from "@/server/services/runs/runs";

/** Every minute: fire the due schedules. Each slot's run is keyed by (schedule, slot), so a re-run of this function creates nothing twice. */
export function createFireSchedulesFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  dispatcher: RunDispatcher;
}) {
  return deps.client.createFunction(
    {
      id: "fire-schedules",
      name: "Fire schedules",
      retries: 0,
      // A tick while the previous tick's run is still under way is dropped, not queued behind it.
      singleton: { mode: "skip" },
      triggers: [{ cron: "* * * * *" }],
    },
    async ({ step }) =>
      step.run("fire", () =>
        fireDueSchedules({ db: deps.db(), dispatcher: deps.dispatcher }, { now: new Date() }),
      ),
  );
}
