import type { Inngest } from "inngest";
import type { InvocationSource } from "@/lib/enums";
import type { ModelResolver } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { env } from "@/server/env";
import { settleCrashedRun } from "@/server/services/runs/crash-recovery";
import { markRunning } from "@/server/services/runs/run-lifecycle";
import {
  executeTurn,
  finishRunAndQueueDeliveries,
  resolveRunConfig,
} from "@/server/services/runs/run-turn";
import type { RunDispatcher } from "@/server/services/runs/runs";
import type { RunTimeoutLimits } from "@/server/services/runs/run-timeouts";
import { readPause, readQueuedDeliveries, readStepFlag } from "@/server/services/runs/step-results";
import { runApprovalRequested, runCancelRequested, runRefSchema, runRequested } from "../events";
import { sendEndedRunDeliveries, sendQueuedDeliveries } from "./deliver-run-result";

export const RUN_SKILL_FUNCTION_ID = "run-skill";

/** Sources with a person waiting for the run (a console Run, the REST API, a re-run). */
const INTERACTIVE_SOURCES = ["manual", "api", "rerun"] as const satisfies InvocationSource[];
/** Inngest's largest priority factor: an interactive run goes before unattended runs queued up to 10 min earlier. */
const INTERACTIVE_PRIORITY_SECONDS = 600;
/**
 * `priority.run`: interactive runs start ahead of a tenant's backlog of scheduled and webhook
 * runs waiting for its concurrency slots (a schedule's Run now is sent as `manual`, see
 * `requestedSource`). Any other source, or none (older events), gets no priority.
 */
const PRIORITY_EXPRESSION = `${INTERACTIVE_SOURCES.map((source) => `event.data.source == "${source}"`).join(" || ")} ? ${INTERACTIVE_PRIORITY_SECONDS} : 0`;

/** run-skill's `timeouts` from the environment (RUN_START_TIMEOUT_SECONDS, RUN_FINISH_TIMEOUT_SECONDS). */
export function runTimeoutLimits(): RunTimeoutLimits {
  return {
    startSeconds: env.RUN_START_TIMEOUT_SECONDS,
    finishSeconds: env.RUN_FINISH_TIMEOUT_SECONDS,
  };
}

/**
 * A tenant's executing agent turns, new (run-skill) and continued after an approval
 * (run-skill-approval), share one limit: one key across both functions (scope `env`), so a
 * bulk approve never doubles a tenant's concurrency. Waits (sleeps) hold no slot.
 */
export const turnConcurrency = (limit = env.SKILLRUN_RUN_CONCURRENCY) => ({
  limit,
  key: '"turns:" + event.data.tenantId',
  scope: "env" as const,
});

/**
 * run-skill: one agent turn per run, never retried (a turn is not idempotent: tokens, tool
 * side effects). Each step is one service call; the services' compare-and-set transitions
 * and the turn guard are the safety nets. A cancel event stops further steps; the turn
 * itself notices the cancellation between model calls. The event's data is checked by the SDK
 * against its contract (events.ts) before the handler runs; step results come back from the
 * engine and are read as untrusted input too: by `readStepFlag` and `readQueuedDeliveries` here
 * and by `finishRun`.
 * A function that failed on an outage before its run's turn was claimed has its run
 * dispatched again by the failure handler (`settleCrashedRun`); any other crash fails it.
 */
export function createRunSkillFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  resolveModel: ModelResolver;
  /** Where the failure handler sends a run dispatched again (the client by default). */
  dispatcher?: RunDispatcher;
  /** Runs of one tenant executing at once (SKILLRUN_RUN_CONCURRENCY by default). */
  concurrencyPerTenant?: number;
  /** How long a run may wait to start and take once started (the environment's by default). */
  timeouts?: RunTimeoutLimits;
}) {
  const timeouts = deps.timeouts ?? runTimeoutLimits();
  return deps.client.createFunction(
    {
      id: RUN_SKILL_FUNCTION_ID,
      name: "Run a skill",
      retries: 0,
      triggers: [runRequested],
      cancelOn: [{ event: runCancelRequested, match: "data.runId" }],
      concurrency: turnConcurrency(deps.concurrencyPerTenant),
      priority: { run: PRIORITY_EXPRESSION },
      // Past either, the engine cancels the run; run-skill-timed-out fails it (start_timeout, run_timeout).
      timeouts: { start: `${timeouts.startSeconds}s`, finish: `${timeouts.finishSeconds}s` },
      onFailure: async ({ event, error, step }) => {
        const settled = await step.run("settle-crashed-run", () =>
          settleCrashedRun(
            { db: deps.db(), dispatcher: deps.dispatcher ?? deps.client },
            { triggeringEventData: event.data.event.data, failedRunId: event.data.run_id, error },
          ),
        );
        const ref = runRefSchema.safeParse(event.data.event.data);
        if (settled === "failed" && ref.success)
          await sendEndedRunDeliveries(step, deps.db, {
            runId: ref.data.runId,
            tenantId: ref.data.tenantId,
          });
        return settled;
      },
    },
    async ({ event, step, runId }) => {
      // The run and its tenant only, whatever else a sender put into the data.
      const ref = { runId: event.data.runId, tenantId: event.data.tenantId };
      const started = await step.run("mark-running", () => markRunning(deps.db(), ref, runId));
      if (!readStepFlag("mark-running", started)) return { skipped: "the run was not queued" };
      const configured = await step.run("resolve-config", () => resolveRunConfig(deps.db(), ref));
      if (!readStepFlag("resolve-config", configured)) {
        // Failed before its turn (no agent, skill gone, ...), or cancelled meanwhile.
        await sendEndedRunDeliveries(step, deps.db, ref);
        return { skipped: "nothing to run" };
      }
      const outcome = await step.run("agent-turn", () =>
        executeTurn(deps.db(), ref, deps.resolveModel, runId),
      );
      // Paused for approval: run-skill-approval waits for the decision (its own time limits).
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
