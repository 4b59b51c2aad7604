import { describe, expect, it } from "vitest";
import { invalidFlowControl } from "./flow-validation";
import type { FunctionConfig } from "./protocol";

const base: FunctionConfig = { id: "fn", triggers: [], steps: {} };

describe("invalidFlowControl", () => {
  it("is empty for valid or absent settings, and for the durations that mean no limit", () => {
    expect(invalidFlowControl(base)).toEqual([]);
    expect(
      invalidFlowControl({
        ...base,
        throttle: { limit: 2, period: "1m", burst: 1 },
        singleton: { mode: "cancel", key: "event.data.user" },
        timeouts: { start: "", finish: "0s" },
        priority: { run: "event.data.priority" },
      }),
    ).toEqual([]);
  });

  it("names each setting that is present but parses to nothing, and why", () => {
    expect(
      invalidFlowControl({
        ...base,
        throttle: { limit: 1, period: "soon" },
        singleton: { mode: "queue" },
        timeouts: { start: "5 minutes", finish: "1h" },
        priority: { run: "" },
      }),
    ).toEqual([
      { key: "throttle", reason: 'period "soon" is not a positive duration' },
      { key: "singleton", reason: 'mode "queue" is not "skip" or "cancel"' },
      { key: "timeouts", reason: 'start "5 minutes" is not a duration' },
      { key: "priority", reason: "run is not a non-empty expression" },
    ]);
    expect(invalidFlowControl({ ...base, throttle: { limit: 0, period: "1s" } })).toEqual([
      { key: "throttle", reason: "limit 0 is not ≥ 1" },
    ]);
  });
});
