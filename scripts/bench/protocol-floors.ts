import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { percentile } from "./lib";

/**
 * The floors `bench:engine` measures the engine against: the SDK's serve handler driven by
 * hand-built protocol requests, with no scheduling and no persistence, in the two modes an
 * Inngest server can speak.
 */

export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const benchEvent = (key: string) => ({
  name: "bench/go",
  data: { key },
  id: key,
  ts: Date.now(),
  user: {},
});

/** The 4-call floor: discovery, then one call per memoized step, what the engine sends today. */
export async function fourCallFloorRun(appUrl: string, functionSlug: string): Promise<number> {
  const key = randomUUID();
  const event = benchEvent(key);
  const steps: Record<string, unknown> = {};
  const stack: string[] = [];
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${appUrl}?fnId=${functionSlug}&stepId=step`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        event,
        events: [event],
        steps,
        ctx: {
          run_id: key,
          attempt: 0,
          max_attempts: 1,
          disable_immediate_execution: false,
          use_api: false,
          stack: { stack, current: stack.length },
        },
        version: 2,
      }),
    });
    const body = (await response.json()) as { id: string; data: unknown }[] | number;
    if (response.status === 200) break;
    if (response.status !== 206 || !Array.isArray(body))
      throw new Error(`unexpected ${response.status}`);
    for (const op of body) {
      steps[op.id] = { data: op.data };
      stack.push(op.id);
    }
  }
  return performance.now() - started;
}

/**
 * The endpoint the checkpoint floor's SDK checkpoints to (its client's base URL): it
 * acknowledges each `POST /v1/checkpoint/{runId}/async` at once and keeps nothing, counting
 * the StepRun ops only so the floor can prove the SDK really checkpointed every step.
 */
export function checkpointStub() {
  let stepsAcknowledged = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (
        request.method !== "POST" ||
        !/^\/v1\/checkpoint\/[^/]+\/async$/.test(request.url ?? "")
      ) {
        response.writeHead(404).end();
        return;
      }
      const { steps } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        steps: { op: string }[];
      };
      stepsAcknowledged += steps.filter((op) => op.op === "StepRun").length;
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return { server, stepsAcknowledged: () => stepsAcknowledged };
}

/**
 * The checkpoint floor: one request carrying `ctx.fn_id` and `ctx.qi_id`, which is what puts
 * the SDK in async-checkpointing mode (`shouldAsyncCheckpoint`): it runs every step in this one
 * request, checkpoints each to the stub before starting the next, and answers
 * `206 [RunComplete]`, as it does against real Inngest servers.
 */
export async function checkpointFloorRun(
  appUrl: string,
  functionSlug: string,
  stub: ReturnType<typeof checkpointStub>,
  stepsPerRun: number,
): Promise<number> {
  const key = randomUUID();
  const event = benchEvent(key);
  const acknowledgedBefore = stub.stepsAcknowledged();
  const started = performance.now();
  const response = await fetch(`${appUrl}?fnId=${functionSlug}&stepId=step`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      event,
      events: [event],
      steps: {},
      ctx: {
        run_id: key,
        attempt: 0,
        max_attempts: 1,
        disable_immediate_execution: false,
        use_api: false,
        stack: { stack: [], current: 0 },
        fn_id: functionSlug,
        qi_id: `${key}.0`,
      },
      version: 2,
    }),
  });
  const ops = (await response.json()) as { op?: string }[] | number;
  const elapsed = performance.now() - started;
  const checkpointed = stub.stepsAcknowledged() - acknowledgedBefore;
  if (
    response.status !== 206 ||
    !Array.isArray(ops) ||
    ops.at(-1)?.op !== "RunComplete" ||
    checkpointed !== stepsPerRun
  )
    throw new Error(
      `the SDK did not checkpoint: ${response.status}, ${checkpointed} steps checkpointed`,
    );
  return elapsed;
}

export type LatencyPath = { label: string; once: () => Promise<number> };

/** Every path once per round, so a burst of load elsewhere on the machine hits all of them. */
export async function measureInterleaved(paths: LatencyPath[], rounds: number, warmup = 20) {
  for (let index = 0; index < warmup; index++) for (const path of paths) await path.once();
  const samples = paths.map(() => [] as number[]);
  for (let index = 0; index < rounds; index++)
    for (const [at, path] of paths.entries()) samples[at]?.push(await path.once());
  return paths.map((path, at) => ({
    label: path.label,
    p50: percentile(samples[at] ?? [], 50),
    p99: percentile(samples[at] ?? [], 99),
  }));
}
