/**
 * Dev-only, for gql-standin.ts: each run's step timeline as the dev server's traces show it
 * (name, type, status, last attempt, output), rebuilt from the SDK's answers and checkpoints the
 * stand-in relays — the engine stores step values only.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseJson(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return null;
  }
}

type SpanStatus = "COMPLETED" | "FAILED" | "RUNNING" | "WAITING";
export type StepSpan = {
  stepID: string;
  spanID: string;
  name: string;
  stepType: "RUN" | "SLEEP" | "WAIT_FOR_EVENT" | "INVOKE";
  status: SpanStatus;
  attempts: number;
  outputID: string | null;
};
export type SpanOutput = { data?: Json; error?: Json };

/** The SDK's id for its terminal op (`sha1("complete")`): the run's end, not a step. */
const COMPLETE_OP_ID = "0737c22d3bfae812339732d14d8c7dbd6dc4e09c";

export class RunTimelines {
  private readonly runs = new Map<string, { attempt: number; steps: Map<string, StepSpan> }>();
  private readonly outputs = new Map<string, SpanOutput>();

  private run(runId: string) {
    let found = this.runs.get(runId);
    if (!found) {
      found = { attempt: 0, steps: new Map() };
      this.runs.set(runId, found);
    }
    return found;
  }

  /** The attempt of the SDK request in flight for the run (checkpoints carry none). */
  setAttempt(runId: string, attempt: number) {
    this.run(runId).attempt = attempt;
  }

  spans(runId: string): StepSpan[] {
    return [...(this.runs.get(runId)?.steps.values() ?? [])];
  }

  setOutput(outputId: string, output: SpanOutput) {
    this.outputs.set(outputId, output);
  }

  output(outputId: string): SpanOutput | undefined {
    return this.outputs.get(outputId);
  }

  private record(
    runId: string,
    op: JsonObject,
    patch: Pick<StepSpan, "stepType" | "status">,
    output?: SpanOutput,
  ) {
    const id = typeof op.id === "string" ? op.id : "";
    if (!id) return;
    const run = this.run(runId);
    const name = [op.displayName, op.name, op.id].find((value) => typeof value === "string");
    const outputID = output ? `step:${runId}:${id}` : null;
    if (output && outputID) this.outputs.set(outputID, output);
    run.steps.set(id, {
      stepID: id,
      spanID: `${runId}:${id}`,
      name: typeof name === "string" ? name : id,
      ...patch,
      attempts: run.attempt,
      outputID: outputID ?? run.steps.get(id)?.outputID ?? null,
    });
  }

  /** The ops of a 206 answer or a checkpoint. */
  recordOps(runId: string, ops: Json) {
    if (!Array.isArray(ops)) return;
    for (const op of ops) {
      if (!isObject(op)) continue;
      if (op.op === "StepRun" || op.op === "Step")
        this.record(runId, op, { stepType: "RUN", status: "COMPLETED" }, { data: op.data ?? null });
      else if ((op.op === "StepError" || op.op === "StepFailed") && op.id !== COMPLETE_OP_ID)
        this.record(runId, op, { stepType: "RUN", status: "FAILED" }, { error: op.error ?? null });
      else if (op.op === "Sleep") this.record(runId, op, { stepType: "SLEEP", status: "WAITING" });
      else if (op.op === "WaitForEvent")
        this.record(runId, op, { stepType: "WAIT_FOR_EVENT", status: "WAITING" });
      else if (op.op === "InvokeFunction")
        this.record(runId, op, { stepType: "INVOKE", status: "RUNNING" });
    }
  }

  /** A request's memoized steps settle the sleeps, waits and invokes still pending. */
  settleWaits(runId: string, steps: Json) {
    const run = this.runs.get(runId);
    if (!run || !isObject(steps)) return;
    for (const span of run.steps.values()) {
      if (span.status !== "WAITING" && span.status !== "RUNNING") continue;
      if (!(span.stepID in steps)) continue;
      const value = steps[span.stepID];
      const failed = isObject(value) && "error" in value;
      const outputID = `step:${runId}:${span.stepID}`;
      this.outputs.set(
        outputID,
        failed
          ? { error: value.error ?? null }
          : { data: isObject(value) ? (value.data ?? null) : (value ?? null) },
      );
      run.steps.set(span.stepID, { ...span, status: failed ? "FAILED" : "COMPLETED", outputID });
    }
  }
}
