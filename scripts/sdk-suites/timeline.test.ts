/** The stand-in's step timeline, rebuilt from SDK answers (no engine, no database). */
import { describe, expect, it } from "vitest";
import { RunTimelines } from "./timeline";

describe("RunTimelines", () => {
  it("keeps a step's name, type, last attempt and output; the run's end op is no step", () => {
    const timelines = new RunTimelines();
    timelines.setAttempt("R", 0);
    timelines.recordOps("R", [
      { id: "h-a", op: "StepError", displayName: "a", error: { name: "Error", message: "no" } },
    ]);
    timelines.setAttempt("R", 1);
    timelines.recordOps("R", [
      { id: "h-a", op: "StepFailed", displayName: "a", error: { name: "Error", message: "no" } },
      { id: "h-b", op: "StepRun", name: "b", data: 2 },
      { id: "0737c22d3bfae812339732d14d8c7dbd6dc4e09c", op: "StepFailed", error: {} },
    ]);

    expect(timelines.spans("R")).toEqual([
      expect.objectContaining({
        stepID: "h-a",
        name: "a",
        stepType: "RUN",
        status: "FAILED",
        attempts: 1,
      }),
      expect.objectContaining({
        stepID: "h-b",
        name: "b",
        status: "COMPLETED",
        outputID: "step:R:h-b",
      }),
    ]);
    expect(timelines.output("step:R:h-b")).toEqual({ data: 2 });
  });

  it("settles an invoke or a sleep from the memoized steps of a later request", () => {
    const timelines = new RunTimelines();
    timelines.recordOps("R", [
      { id: "h-i", op: "InvokeFunction", displayName: "call" },
      { id: "h-s", op: "Sleep", displayName: "nap" },
    ]);
    timelines.settleWaits("R", {
      "h-i": { error: { name: "Error", message: "gone" } },
      "h-s": null,
    });

    const [invoke, sleep] = timelines.spans("R");
    expect(invoke).toMatchObject({ stepType: "INVOKE", status: "FAILED" });
    expect(timelines.output(invoke?.outputID ?? "")).toEqual({
      error: { name: "Error", message: "gone" },
    });
    expect(sleep).toMatchObject({ stepType: "SLEEP", status: "COMPLETED" });
  });
});
