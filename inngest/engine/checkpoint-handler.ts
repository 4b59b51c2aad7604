import type { CheckpointWrite } from "./batched-writes";
import {
  parseQueueItemRef,
  planCheckpoint,
  queueItemRef,
  type CheckpointBody,
  type CheckpointOp,
} from "./checkpoint";
import { applyDeferOps, type Defers } from "./defer";
import {
  EngineStoppedError,
  type CheckpointOutcome,
  type Dispatch,
  type EngineConfig,
  type RunState,
} from "./engine-types";
import { checkOutputs, type OutputLimits, type OutputTally } from "./output-limits";

/** What checkpoint handling needs of the engine. */
export type CheckpointDeps = {
  config: Pick<EngineConfig, "faults" | "log">;
  getRun: (runId: string) => Promise<RunState | undefined>;
  /** The checkpoint statement (group-committed): false when the lease generation is stale. */
  write: (write: CheckpointWrite) => Promise<boolean>;
  outputTally: OutputTally;
  outputLimits: OutputLimits;
  isStopped: () => boolean;
};

/**
 * `POST /v1/checkpoint/:runId/async` glue: the checkpoints of a run apply one at a time (a
 * dispatch and a finalize wait for the one in flight), and each is fenced by its request's
 * dispatch, which the run loop registers here while the request is out.
 */
export class CheckpointHandler {
  /** Per run, the checkpoint being written. */
  private readonly writes = new Map<string, Promise<unknown>>();
  /** SDK requests in flight, by queue item id. */
  private readonly dispatches = new Map<number, Dispatch>();

  constructor(private readonly deps: CheckpointDeps) {}

  /** The run's checkpoint being written, if any (settles, never rejects). */
  inFlight(runId: string): Promise<unknown> | undefined {
    return this.writes.get(runId);
  }

  /** A request is out for this dispatch: a checkpoint naming it may save steps. */
  beginDispatch(dispatch: Dispatch) {
    this.dispatches.set(dispatch.item.id, dispatch);
  }

  endDispatch(dispatch: Dispatch) {
    if (this.dispatches.get(dispatch.item.id) === dispatch)
      this.dispatches.delete(dispatch.item.id);
  }

  /**
   * Saves the steps an SDK request ran, if that request is still its queue item's current
   * dispatch, and resets the item's attempts (the request's next step starts afresh, as Go's
   * `ResetAttemptsByJobID`). Acknowledged only after the commit, and the SDK starts its next
   * step only then: an acknowledged step is never lost, and a fenced-off request (409) saves
   * nothing and stops.
   */
  async checkpoint(runId: string, body: CheckpointBody): Promise<CheckpointOutcome> {
    if (this.deps.config.faults?.refuseCheckpoint?.(runId))
      return { status: 503, error: "checkpoints are unavailable" };
    const plan = planCheckpoint(body.steps);
    if (!plan.ok) return { status: 400, error: `cannot checkpoint opcode: ${plan.opcode}` };
    const ref = parseQueueItemRef(body.qi_id);
    if (!ref) return { status: 400, error: "qi_id does not name a queue item of this engine" };
    // One checkpoint of a run at a time, so each sees the steps the previous one saved.
    const previous = this.writes.get(runId);
    const write = (async () => {
      await previous;
      return this.save(runId, ref, plan.saves, plan.defers);
    })();
    const settled = write.then(
      () => undefined,
      () => undefined,
    );
    this.writes.set(runId, settled);
    try {
      return await write;
    } finally {
      if (this.writes.get(runId) === settled) this.writes.delete(runId);
    }
  }

  private async save(
    runId: string,
    ref: { queueId: number; leaseGen: number },
    saves: { id: string; value: { data: unknown } }[],
    deferOps: CheckpointOp[],
  ): Promise<CheckpointOutcome> {
    const { config } = this.deps;
    const run = await this.deps.getRun(runId);
    if (!run) return { status: 404, error: "run not found" };
    const fresh = run.status === "Running" ? saves.filter((save) => !(save.id in run.steps)) : [];
    const defers = applyDeferOps(run.defers, deferOps);
    const outputs =
      fresh.length > 0
        ? checkOutputs(
            fresh.map((save) => ({ id: save.id, data: save.value.data })),
            this.deps.outputTally.of(run.id, run.steps),
            this.deps.outputLimits,
          )
        : undefined;
    if (outputs && (outputs.tooLarge.size > 0 || outputs.overflowed)) {
      // As Go's 413: the SDK gives up checkpointing and answers with the steps, and the run
      // loop fails the step (or the run) with the same error.
      config.log({
        level: "warn",
        msg: "checkpoint.output_too_large",
        run_id: runId,
        steps: [...outputs.tooLarge.keys()],
        run_bytes: outputs.runBytes,
      });
      return {
        status: 413,
        error: outputs.overflowed
          ? "state is too large: the run's step outputs exceed the limit"
          : "step output size is greater than the limit",
      };
    }
    const saved = await this.deps.write({
      runId,
      queueId: ref.queueId,
      leaseGen: ref.leaseGen,
      steps: JSON.stringify(Object.fromEntries(fresh.map((save) => [save.id, save.value]))),
      ids: fresh.map((save) => save.id),
      defers: JSON.stringify(defers),
    });
    config.faults?.afterCheckpointCommit?.(runId);
    const held = config.faults?.holdCheckpoint?.(runId);
    if (held) await held;
    if (this.deps.isStopped())
      throw new EngineStoppedError("the engine stopped before acknowledging");
    const dispatch = this.dispatches.get(ref.queueId);
    const current = dispatch?.leaseGen === ref.leaseGen ? dispatch : undefined;
    if (!saved) return this.refuseStale(runId, ref, current);
    config.faults?.stepsWritten?.(
      runId,
      fresh.map((save) => save.id),
    );
    if (outputs) this.deps.outputTally.set(runId, outputs.runBytes);
    this.applySaved(run, fresh, defers);
    if (current) current.item.attempt = 0;
    return { status: 200 };
  }

  /** The checkpoint's lease generation is stale: its request, if still out, is fenced off. */
  private refuseStale(
    runId: string,
    ref: { queueId: number; leaseGen: number },
    current: Dispatch | undefined,
  ): CheckpointOutcome {
    if (current) current.fenced = true;
    this.deps.config.log({
      level: "warn",
      msg: "checkpoint.stale",
      run_id: runId,
      qi_id: queueItemRef(ref.queueId, ref.leaseGen),
    });
    return {
      status: 409,
      error: "stale dispatch: the run ended or its step was dispatched again",
    };
  }

  /** The committed steps and defers into the run in memory. */
  private applySaved(
    run: RunState,
    fresh: { id: string; value: { data: unknown } }[],
    defers: Defers,
  ) {
    // Everything before was stored: so are these now, and no persist or finalize re-sends them.
    const allStored = run.storedSteps === run.stack.length;
    for (const save of fresh) {
      if (save.id in run.steps) continue;
      run.steps[save.id] = save.value;
      run.stack.push(save.id);
      run.pending.delete(save.id);
    }
    if (allStored) run.storedSteps = run.stack.length;
    Object.assign(run.defers, defers);
  }
}
