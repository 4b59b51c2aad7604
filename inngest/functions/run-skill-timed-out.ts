import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { failTimedOutRun, type RunTimeoutLimits } from "@/server/services/runs/run-timeouts";
import { runRefSchema } from "../events";
import { sendEndedRunDeliveries } from "./deliver-run-result";
import { RUN_SKILL_FUNCTION_ID, runTimeoutLimits } from "./run-skill";

/**
 * A run-skill run past its `timeouts` is cancelled by the engine, as Inngest cancels one: it
 * emits `inngest/function.cancelled` and runs no `onFailure`. This turns that into the run's
 * failure (`start_timeout` or `run_timeout`, see `failTimedOutRun`); run-skill's other
 * cancellations find the run already `cancelled` and change nothing.
 */
export function createRunSkillTimedOutFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  /** The limits run-skill was given (the environment's by default), named in the failure reason. */
  timeouts?: RunTimeoutLimits;
}) {
  const runSkillSlug = `${deps.client.id}-${RUN_SKILL_FUNCTION_ID}`;
  return deps.client.createFunction(
    {
      id: "run-skill-timed-out",
      name: "Fail timed-out runs",
      retries: 3,
      triggers: [
        {
          event: "inngest/function.cancelled",
          if: `event.data.function_id == ${JSON.stringify(runSkillSlug)}`,
        },
      ],
    },
    async ({ event, step }) => {
      const data = event.data as { event?: { data?: unknown }; run_id?: unknown };
      const failed = await step.run("fail-timed-out-run", () =>
        failTimedOutRun(
          deps.db(),
          { triggeringEventData: data.event?.data, engineRunId: data.run_id },
          deps.timeouts ?? runTimeoutLimits(),
        ),
      );
      const ref = runRefSchema.safeParse(data.event?.data);
      if (failed !== "unchanged" && ref.success)
        await sendEndedRunDeliveries(step, deps.db, {
          runId: ref.data.runId,
          tenantId: ref.data.tenantId,
        });
      return failed;
    },
  );
}
