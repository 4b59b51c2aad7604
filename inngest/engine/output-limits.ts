/**
 * Step output limits, as the Go server's (pkg/consts: MaxStepOutputSize 4 MiB,
 * DefaultMaxStateSizeLimit 32 MiB): a `step.run` whose output serializes to more than the step
 * limit fails with "step output size is greater than the limit"; a run whose step outputs
 * together pass the run limit fails with `InngestErrStateOverflowed`, no retry. Sizes are the
 * UTF-8 bytes of the output's JSON.
 */
export type OutputLimits = { stepBytes: number; runBytes: number };

export const DEFAULT_OUTPUT_LIMITS: OutputLimits = {
  stepBytes: 4 * 1024 * 1024,
  runBytes: 32 * 1024 * 1024,
};

export function outputBytes(data: unknown): number {
  return Buffer.byteLength(JSON.stringify(data ?? null) ?? "null");
}

export function stepOutputTooLargeError(stepId: string, bytes: number, limit: number) {
  return {
    name: "StepOutputTooLargeError",
    message: `step output size is greater than the limit: step "${stepId}" returned ${bytes} bytes, the limit is ${limit}`,
  };
}

export function stateOverflowedError(bytes: number, limit: number) {
  return {
    name: "InngestErrStateOverflowed",
    message: `state is too large: the run's step outputs reached ${bytes} bytes, the limit is ${limit}`,
  };
}

/** The stored size of a run's step outputs (`{data}` values; errors and events do not count). */
export function storedOutputBytes(steps: Record<string, unknown>): number {
  let total = 0;
  for (const value of Object.values(steps))
    if (value && typeof value === "object" && "data" in value) total += outputBytes(value.data);
  return total;
}

export type OutputVerdict = {
  /** Steps whose own output is over the step limit, with their size: they fail, saving nothing. */
  tooLarge: Map<string, number>;
  /** The run's total once the other outputs are saved. */
  runBytes: number;
  overflowed: boolean;
};

/** Checks new step outputs against the limits, given what the run has stored so far. */
export function checkOutputs(
  outputs: readonly { id: string; data: unknown }[],
  storedBytes: number,
  limits: OutputLimits,
): OutputVerdict {
  const tooLarge = new Map<string, number>();
  let runBytes = storedBytes;
  for (const { id, data } of outputs) {
    const bytes = outputBytes(data);
    if (bytes > limits.stepBytes) tooLarge.set(id, bytes);
    else runBytes += bytes;
  }
  return { tooLarge, runBytes, overflowed: runBytes > limits.runBytes };
}

/** Each Running run's stored output bytes, measured once and then kept up to date. */
export class OutputTally {
  private readonly bytes = new Map<string, number>();

  of(runId: string, steps: Record<string, unknown>): number {
    let known = this.bytes.get(runId);
    if (known === undefined) {
      known = storedOutputBytes(steps);
      this.bytes.set(runId, known);
    }
    return known;
  }

  set(runId: string, bytes: number): void {
    this.bytes.set(runId, bytes);
  }

  forget(runId: string): void {
    this.bytes.delete(runId);
  }
}
