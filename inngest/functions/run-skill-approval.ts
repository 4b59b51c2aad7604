import type { Inngest } from "inngest";
import type { ModelResolver } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { failCrashedContinuation } from "@/server/services/runs/approval-resumption";
import { resumeTurn } from "@/server/services/runs/run-resume";
import { finishRunAndQueueDeliveries } from "@/server/services/runs/run-turn";
import { readPause, readQueuedDeliveries } from "@/server/services/runs/step-results";
import { runApprovalDecided, runApprovalRequested, runCancelRequested } from "../events";
import { sendQueuedDeliveries } from "./deliver-run-result";
import { turnConcurrency } from "./run-skill";

export const RUN_SKILL_APPROVAL_FUNCTION_ID = "run-skill-approval";

/**
 * The rest of a run that paused for approval, in one step: started by the decision's event, or
 * by the request's own event once the policy's timeout has passed (then the still-undecided
 * request expires and fails the run, or a decision whose event was lost is honoured). Its own
 * function, so a wait of hours never counts against run-skill's `timeouts.finish`; a turn that
 * pauses again starts another one. Never retried (the continuation is a turn too); `resumeTurn`
 * claims the decision once for this engine run, so whichever invocation comes second does
 * nothing, while this one's step executed again carries on to the run's end. A cancel stops
 * it while it waits.
 */
export function createRunSkillApprovalFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  resolveModel: ModelResolver;
  /** Continued turns of one tenant executing at once (SKILLRUN_RUN_CONCURRENCY by default). */
  concurrencyPerTenant?: number;
}) {
  return deps.client.createFunction(
    {
      id: RUN_SKILL_APPROVAL_FUNCTION_ID,
      name: "Continue a run after its approval",
      retries: 0,
      triggers: [runApprovalRequested, runApprovalDecided],
      cancelOn: [{ event: runCancelRequested, match: "data.runId" }],
      // run-skill's slots: a bulk approve of many runs continues their turns within the tenant's
      // limit, shared with its new turns. A wait (the timeout's sleep) holds no slot.
      concurrency: turnConcurrency(deps.concurrencyPerTenant),
      onFailure: async ({ event, error }) => {
        await failCrashedContinuation(deps.db(), event.data.event.data, error, event.data.run_id);
      },
    },
    async ({ event, step, runId }) => {
      const ref = { runId: event.data.runId, tenantId: event.data.tenantId };
      const { approvalId } = event.data;
      const trigger = event.name === runApprovalRequested.name ? "timeout" : "decision";
      if (event.name === runApprovalRequested.name) {
        // Only ends a wait nobody answered (or whose decision's event was lost): the decision's
        // own event continues the run, whenever it comes. Waiting for it here instead would miss
        // a decision made before the wait began.
        await step.sleep("approval-timeout", `${event.data.timeoutSeconds}s`);
      }
      const outcome = await step.run("resume-turn", () =>
        resumeTurn(deps.db(), ref, deps.resolveModel, approvalId, trigger, runId),
      );
      if (outcome === null) return { continuedElsewhere: approvalId };
      const paused = readPause(outcome, ref.runId);
      if (paused) {
        await step.sendEvent(
          "request-approval",
          runApprovalRequested.create({ ...ref, ...paused }, { id: paused.approvalId }),
        );
        return { awaitingApproval: paused.approvalId };
      }
      const finished = await step.run("finish", () =>
        finishRunAndQueueDeliveries(deps.db(), ref, outcome),
      );
      await sendQueuedDeliveries(step, readQueuedDeliveries("finish", finished));
      return { outcome: finished.recorded };
    },
  );
}
