/**
 * Conformance: a flow-control setting that is present but malformed (a throttle period that is
 * no duration, an unknown singleton mode, a timeout that does not parse) is ignored, as the Go
 * server ignores it, and is a warn line at sync naming the function, the key and why.
 */
import { describe, expect, it } from "vitest";
import { setupEngine, uniqueName } from "./harness";

const t = setupEngine();

describe("invalid flow control", () => {
  it("is a warn line at sync for each malformed setting; valid ones are not named", async () => {
    const client = t.client("invalid-flow");
    const fn = client.createFunction(
      {
        id: "malformed",
        throttle: { limit: 1, period: "soon" as "1s" },
        singleton: { mode: "queue" as "skip" },
        timeouts: { start: "5 minutes" as "5m", finish: "1h" },
        concurrency: { limit: 2 },
        triggers: [{ event: uniqueName("invalid-flow/go") }],
      },
      async () => "ok",
    );
    await t.serve(client, [fn]);
    const warnings = t.logs.filter(
      (line) =>
        line.msg === "function.invalid_flow_control" &&
        String(line.function).endsWith("-malformed"),
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        level: "warn",
        key: "throttle",
        reason: expect.stringContaining("soon"),
      }),
      expect.objectContaining({
        level: "warn",
        key: "singleton",
        reason: expect.stringContaining("queue"),
      }),
      expect.objectContaining({
        level: "warn",
        key: "timeouts",
        reason: expect.stringContaining("start"),
      }),
    ]);
  });
});
