import { describe, expect, it } from "vitest";
import { splitIngestOutcome, type IngestOutcome, type IngestPlan } from "./ingest-statement";
import { EVENTS, type InngestEvent } from "./protocol";

const finished = (correlationId: string): InngestEvent => ({
  name: EVENTS.functionFinished,
  data: { correlation_id: correlationId },
  id: correlationId,
  ts: 1,
  user: {},
});

/** A finalize's plan: a child's `function.finished` that resolves its parent's invoke wait. */
function childFinished(childRunId: string, eventId: string, correlationId: string): IngestPlan {
  return {
    events: [{ internalId: eventId, event: finished(correlationId), owner: childRunId }],
    runs: [],
    invokeResults: [{ eventId, correlationId, value: "{}" }],
  };
}

const resumedRow = (parentRunId: string, correlationId: string) => ({
  id: `q-${parentRunId}`,
  run_id: parentRunId,
  step_id: "invoke-child",
  attempt: 0,
  wait_id: `w-${parentRunId}`,
  correlation_id: correlationId,
});

describe("splitIngestOutcome", () => {
  it("gives a resumed invoke wait to the plan whose event resolved it, not the first with invoke results", () => {
    // Child A's finalize did not commit (its event was not inserted); child B's did.
    const plans = [
      childFinished("child-a", "ev-a", "corr-a"),
      childFinished("child-b", "ev-b", "corr-b"),
    ];
    const outcome: IngestOutcome = {
      events: [{ internal_id: "ev-b", seq: "7" }],
      runs: null,
      resumed: [resumedRow("parent-b", "corr-b")],
    };

    const [first, second] = splitIngestOutcome(outcome, plans);

    expect(first?.resumed).toEqual([]);
    expect(second?.events).toEqual([{ internal_id: "ev-b", seq: "7" }]);
    expect(second?.resumed).toEqual([resumedRow("parent-b", "corr-b")]);
  });

  it("splits several resumed waits among the plans that resolved them", () => {
    const plans = [
      childFinished("child-a", "ev-a", "corr-a"),
      childFinished("child-b", "ev-b", "corr-b"),
    ];
    const outcome: IngestOutcome = {
      events: [
        { internal_id: "ev-a", seq: "6" },
        { internal_id: "ev-b", seq: "7" },
      ],
      runs: null,
      resumed: [resumedRow("parent-b", "corr-b"), resumedRow("parent-a", "corr-a")],
    };

    const [first, second] = splitIngestOutcome(outcome, plans);

    expect(first?.resumed).toEqual([resumedRow("parent-a", "corr-a")]);
    expect(second?.resumed).toEqual([resumedRow("parent-b", "corr-b")]);
  });
});
