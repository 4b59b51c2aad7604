import { createHash, randomBytes, randomUUID } from "node:crypto";
import { queueItemRef } from "./checkpoint";
import { sdkDefers } from "./defer";
import type { EngineConfig, QueueItem, RegisteredFunction, RunState } from "./engine-types";
import { DISCOVERY_STEP, readSdkResponse, type SdkResponse } from "./protocol";
import { appRequest } from "./signing";

/**
 * One execution request to the app's SDK for a queue item's dispatch (lease generation
 * `leaseGen`): the run's state, the `ctx` every real server sends (`fn_id` only in checkpoint
 * mode, `qi_id`, `request_id`, `generation_id`, `job_id`), the matching headers and a W3C
 * `traceparent`, signed when the engine has keys. Resolves with the SDK's answer, or the error that stopped it.
 */
export async function callSdk(
  config: Pick<EngineConfig, "checkpointing" | "keys" | "requestTimeoutMs">,
  run: RunState,
  fn: RegisteredFunction,
  item: QueueItem,
  leaseGen: number,
): Promise<SdkResponse | Error> {
  const url = new URL(fn.config.steps[DISCOVERY_STEP]?.runtime.url ?? "");
  url.searchParams.set("fnId", fn.slug);
  url.searchParams.set("stepId", item.stepId);
  const requestId = randomUUID();
  const body = {
    event: run.events[0],
    events: run.events,
    steps: run.steps,
    defers: sdkDefers(run.defers),
    ctx: {
      run_id: run.id,
      attempt: item.attempt,
      max_attempts: run.maxAttempts,
      // The SDK checkpoints only when given a function id (its `shouldAsyncCheckpoint`).
      ...(config.checkpointing ? { fn_id: fn.slug } : {}),
      qi_id: queueItemRef(item.id, leaseGen),
      request_id: requestId,
      generation_id: leaseGen,
      job_id: String(item.id),
      disable_immediate_execution: run.forceStepPlan || item.stepId !== DISCOVERY_STEP,
      use_api: false,
      stack: { stack: run.stack, current: run.stack.length },
    },
    version: 2,
  };

  try {
    const request = appRequest(body, config.keys);
    return await readSdkResponse(
      await fetch(url, {
        method: "POST",
        headers: {
          ...request.headers,
          "x-inngest-req-version": "2",
          // The SDK reads these, not the body, for ctx.requestId / ctx.jobId and the checkpoint's generation.
          "x-request-id": requestId,
          "x-inngest-job-id": String(item.id),
          "x-inngest-generation-id": String(leaseGen),
          traceparent: traceparent(run.id),
        },
        body: request.body,
        signal: AbortSignal.timeout(config.requestTimeoutMs),
      }),
    );
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * The W3C trace context of one request, as Go's executor sends it: one trace per run (its id
 * hashed, so every request of a run shares it) and a new span per request. The SDK attributes
 * span telemetry, such as the `inngest.ai` metadata of a step's model calls, only within a
 * request that carries one.
 */
export function traceparent(runId: string): string {
  const traceId = createHash("sha256").update(runId).digest("hex").slice(0, 32);
  return `00-${traceId}-${randomBytes(8).toString("hex")}-01`;
}
