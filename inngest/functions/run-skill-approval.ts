import type { Inngest } from "inngest";
import type { ModelResolver } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { failCrashedRun } from "@/server/services/runs/run-lifecycle";
import { resumeTurn } from "@/server/services/runs/run-resume";
import { finishRun } from "@/server/services/runs/run-turn";
import { readPause } from "@/server/services/runs/step-results";
import { runApprovalDecided, runApprovalRequested, runCancelRequested } from "../events";

export const RUN_SKILL_APPROVAL_FUNCTION_ID = "run-skill-approval";

/**
 * The rest of a run that paused for approval: waits for the decision (matched on the run id,
 * at most the policy's timeout), then continues the turn in one step and records the outcome.
 * Its own function, so a wait of hours never counts against run-skill's `timeouts.finish`; a
 * turn that pauses again starts another one. Never retried (the continuation is a turn too);
 * `resumeTurn` claims the decision once, and reads it from the database, so a decision whose
 * event was lost is still honoured when the wait times out. A cancel stops it while it waits.
 */
export function createRunSkillApprovalFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  resolveModel: ModelResolver;
}) {
  return deps.client.createFunction(
    {
      id: RUN_SKILL_APPROVAL_FUNCTION_ID,
      name: "Continue a run after its approval",
      retries: 0,
      triggers: [runApprovalRequested],
      cancelOn: [{ event: runCancelRequested, match: "data.runId" }],
      onFailure: async ({ event, error }) => {
        await failCrashedRun(deps.db(), event.data.event.data, error);
      },
    },
    async ({ event, step }) => {
      const ref = { runId: event.data.runId, tenantId: event.data.tenantId };
      const { approvalId } = event.data;
      await step.waitForEvent("decision", {
        event: runApprovalDecided,
        match: "data.runId",
        timeout: `${event.data.timeoutSeconds}s`,
      });
      const outcome = await step.run("resume-turn", () =>
        resumeTurn(deps.db(), ref, deps.resolveModel, approvalId),
      );
      const paused = readPause(outcome, ref.runId);
      if (paused) {
        await step.sendEvent(
          "request-approval",
          runApprovalRequested.create({ ...ref, ...paused }, { id: paused.approvalId }),
        );
        return { awaitingApproval: paused.approvalId };
      }
      const recorded = await step.run("finish", () => finishRun(deps.db(), ref, outcome));
      return { outcome: recorded };
    },
  );
}
