import type { Inngest } from "inngest";
import type { ModelResolver } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { env } from "@/server/env";
import { settleCrashedRun } from "@/server/services/runs/crash-recovery";
import { markRunning } from "@/server/services/runs/run-lifecycle";
import { executeTurn, finishRun, resolveRunConfig } from "@/server/services/runs/run-turn";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { readStepFlag } from "@/server/services/runs/step-results";
import { runCancelRequested, runRequested } from "../events";

/**
 * run-skill: one agent turn per run, never retried (a turn is not idempotent: tokens, tool
 * side effects). Each step is one service call; the services' compare-and-set transitions
 * and the turn guard are the safety nets. A cancel event stops further steps; the turn
 * itself notices the cancellation between model calls. The event's data is checked by the SDK
 * against its contract (events.ts) before the handler runs; step results come back from the
 * engine and are read as untrusted input too: by `readStepFlag` here and by `finishRun`.
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
}) {
  return deps.client.createFunction(
    {
      id: "run-skill",
      name: "Run a skill",
      retries: 0,
      triggers: [runRequested],
      cancelOn: [{ event: runCancelRequested, match: "data.runId" }],
      concurrency: {
        limit: deps.concurrencyPerTenant ?? env.SKILLRUN_RUN_CONCURRENCY,
        key: "event.data.tenantId",
      },
      onFailure: async ({ event, error }) => {
        await settleCrashedRun(
          { db: deps.db(), dispatcher: deps.dispatcher ?? deps.client },
          { triggeringEventData: event.data.event.data, failedRunId: event.data.run_id, error },
        );
      },
    },
    async ({ event, step, runId }) => {
      // The run and its tenant only, whatever else a sender put into the data.
      const ref = { runId: event.data.runId, tenantId: event.data.tenantId };
      const started = await step.run("mark-running", () => markRunning(deps.db(), ref, runId));
      if (!readStepFlag("mark-running", started)) return { skipped: "the run was not queued" };
      const configured = await step.run("resolve-config", () => resolveRunConfig(deps.db(), ref));
      if (!readStepFlag("resolve-config", configured)) return { skipped: "nothing to run" };
      const outcome = await step.run("agent-turn", () =>
        executeTurn(deps.db(), ref, deps.resolveModel, runId),
      );
      const recorded = await step.run("finish", () => finishRun(deps.db(), ref, outcome));
      return { outcome: recorded };
    },
  );
}
