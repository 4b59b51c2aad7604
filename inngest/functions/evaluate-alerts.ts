import type { Inngest } from "inngest";
import type { Database } from "@/server/db/client";
import { env } from "@/server/env";
import { alertClockWarning } from "@/server/env-definition";
import { pruneAlertNotices } from "@/server/services/alerts/deliveries";
import type { DeliveryRef } from "@/server/services/alerts/fire";
import { scanRunFailures } from "@/server/services/alerts/run-failures";
import { scanApprovalWaits } from "@/server/services/alerts/approval-waits";
import {
  evaluateFailureRates,
  scanBudgetCrossings,
  scanScheduleProblems,
} from "@/server/services/alerts/triggers";
import { alertDeliveryRequested } from "../events";

/**
 * When the rules are judged: every minute, or every `everySeconds` (the e2e app's
 * SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS; the embedded engine's `@every`), the same function and
 * scans on a shorter clock.
 */
export function alertEvaluationCron(everySeconds: number | undefined): string {
  return everySeconds === undefined ? "* * * * *" : `@every ${everySeconds}s`;
}

/**
 * Every minute: judge what happened since the last scan against the tenants' alert rules (new
 * failed runs, failure rates over their windows, schedule slots skipped or missed and schedules
 * that turned themselves off, budget thresholds crossed, runs waiting for approval too long) and
 * queue a delivery per channel of each rule that fires. The facts are claimed as they are
 * judged, so a scan that overlaps another or follows an outage judges each once; the rule's
 * cooldown claim keeps a storm to one message.
 */
export function createEvaluateAlertsFunction(deps: { client: Inngest.Any; db: () => Database }) {
  // Created once as the app starts: a shortened clock left set in production would go unnoticed.
  const clockWarning = alertClockWarning(env.SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS);
  if (clockWarning) console.warn(`skillrun ${clockWarning}`);
  return deps.client.createFunction(
    {
      id: "evaluate-alerts",
      name: "Evaluate alert rules",
      retries: 0,
      singleton: { mode: "skip" },
      triggers: [{ cron: alertEvaluationCron(env.SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS) }],
    },
    async ({ step }) => {
      const queued: DeliveryRef[][] = [
        await step.run("run-failures", () => scanRunFailures(deps.db())),
        await step.run("failure-rates", () => evaluateFailureRates(deps.db())),
        await step.run("schedule-problems", () => scanScheduleProblems(deps.db())),
        await step.run("budget-crossings", () => scanBudgetCrossings(deps.db())),
        await step.run("approval-waits", () => scanApprovalWaits(deps.db())),
      ];
      const deliveries = queued.flat();
      if (deliveries.length > 0)
        await step.sendEvent(
          "deliver",
          deliveries.map((data) => ({
            name: alertDeliveryRequested.name,
            id: data.deliveryId,
            data,
          })),
        );
      await step.run("prune-notices", () => pruneAlertNotices(deps.db()));
      return { deliveries: deliveries.length };
    },
  );
}
