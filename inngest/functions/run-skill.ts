import type { Inngest } from "inngest";
import type { ModelResolver } from "@/server/agent/models";
import type { Database } from "@/server/db/client";
import { env } from "@/server/env";
import { failCrashedRun, markRunning } from "@/server/services/runs/run-lifecycle";
import { runRefSchema } from "@/server/services/runs/run-timeline";
import { executeTurn, finishRun, resolveRunConfig } from "@/server/services/runs/run-turn";
import { RUN_CANCEL_REQUESTED, RUN_REQUESTED } from "@/server/services/runs/runs";
import { readStepFlag } from "@/server/services/runs/step-results";

/**
 * run-skill: one agent turn per run, never retried (a turn is not idempotent: tokens, tool
 * side effects). Each step is one service call; the services' compare-and-set transitions
 * and the turn guard are the safety nets. A cancel event stops further steps; the turn
 * itself notices the cancellation between model calls. Step results come back from the
 * engine and are read as untrusted input: by `readStepFlag` here and by `finishRun`.
 */
export function createRunSkillFunction(deps: {
  client: Inngest.Any;
  db: () => Database;
  resolveModel: ModelResolver;
  /** Runs of one tenant executing at once (SKILLRUN_RUN_CONCURRENCY by default). */
  concurrencyPerTenant?: number;
}) {
  return deps.client.createFunction(
    {
      id: "run-skill",
      name: "Run a skill",
      retries: 0,
      triggers: [{ event: RUN_REQUESTED }],
      cancelOn: [{ event: RUN_CANCEL_REQUESTED, match: "data.runId" }],
      concurrency: {
        limit: deps.concurrencyPerTenant ?? env.SKILLRUN_RUN_CONCURRENCY,
        key: "event.data.tenantId",
      },
      onFailure: async ({ event, error }) => {
        await failCrashedRun(deps.db(), event.data.event.data, error);
      },
    },
    async ({ event, step, runId }) => {
      const ref = runRefSchema.parse(event.data);
      const started = await step.run("mark-running", () => markRunning(deps.db(), ref, runId));
      if (!readStepFlag("mark-running", started)) return { skipped: "the run was not queued" };
      const configured = await step.run("resolve-config", () => resolveRunConfig(deps.db(), ref));
      if (!readStepFlag("resolve-config", configured)) return { skipped: "nothing to run" };
      const outcome = await step.run("agent-turn", () =>
        executeTurn(deps.db(), ref, deps.resolveModel),
      );
      const recorded = await step.run("finish", () => finishRun(deps.db(), ref, outcome));
      return { outcome: recorded };
    },
  );
}
