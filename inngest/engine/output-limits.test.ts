import { describe, expect, it } from "vitest";
import {
  checkOutputs,
  DEFAULT_OUTPUT_LIMITS,
  outputBytes,
  OutputTally,
  storedOutputBytes,
} from "./output-limits";

describe("output limits", () => {
  it("defaults to Inngest's: 4 MiB a step, 32 MiB a run", () => {
    expect(DEFAULT_OUTPUT_LIMITS).toEqual({ stepBytes: 4_194_304, runBytes: 33_554_432 });
  });

  it("measures UTF-8 bytes of the JSON", () => {
    expect(outputBytes("ab")).toBe(4);
    expect(outputBytes("é")).toBe(4);
    expect(outputBytes(undefined)).toBe(4);
  });

  it("a step over the step limit is too large and adds nothing; the rest add up to the run's total", () => {
    const limits = { stepBytes: 10, runBytes: 20 };
    const verdict = checkOutputs(
      [
        { id: "a", data: "12345" },
        { id: "b", data: "x".repeat(20) },
      ],
      5,
      limits,
    );
    expect([...verdict.tooLarge]).toEqual([["b", 22]]);
    expect(verdict).toMatchObject({ runBytes: 12, overflowed: false });
    expect(checkOutputs([{ id: "c", data: "1234567" }], 12, limits).overflowed).toBe(true);
  });

  it("the tally measures a run's stored outputs once (data only, not errors or events)", () => {
    const steps = { a: { data: "12" }, b: { error: { message: "no" } }, c: null };
    expect(storedOutputBytes(steps)).toBe(4);
    const tally = new OutputTally();
    expect(tally.of("run", steps)).toBe(4);
    tally.set("run", 100);
    expect(tally.of("run", steps)).toBe(100);
    tally.forget("run");
    expect(tally.of("run", steps)).toBe(4);
  });
});
