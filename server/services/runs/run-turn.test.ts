import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ModelNotConfiguredError } from "@/server/agent/models";
import { ZERO_USAGE } from "@/server/agent/usage";
import { agentTemplates, runEvents, skillRuns } from "@/server/db/schema";
import { createQueuedRun, openTestDatabase } from "@/test/fixtures";
import { claimTurn, failCrashedRun, markRunning, MAX_FAILURE_REASON_CHARS } from "./run-lifecycle";
import { executeTurn, finishRun, resolveRunConfig } from "./run-turn";
import { turnOutcomeSchema, UNREADABLE_TURN_REASON } from "./step-results";

const { db } = openTestDatabase();

/** A run of a fresh tenant in `running` with its turn claimed, as the agent-turn step leaves it. */
async function runningRun() {
  const { ref } = await createQueuedRun(db);
  expect(await markRunning(db, ref)).toBe(true);
  expect(await claimTurn(db, ref)).toBe(true);
  return ref;
}

const rowOf = async (runId: string) =>
  (await db.select().from(skillRuns).where(eq(skillRuns.id, runId)))[0]!;
const timelineOf = async (runId: string) =>
  (await db.select({ type: runEvents.type }).from(runEvents).where(eq(runEvents.runId, runId))).map(
    (event) => event.type,
  );

describe("finishRun reads the agent-turn step's output as untrusted input", () => {
  it("the review's H2 body (a usage object naming other columns) writes nothing but a failure", async () => {
    const ref = await runningRun();
    const other = await runningRun();
    const before = await rowOf(ref.runId);
    const forged = {
      kind: "complete",
      markdown: "# Forged",
      usage: {
        tenantId: other.tenantId,
        status: "complete",
        deliverable: { type: "inline", format: "markdown", payload: "forged" },
        turnStartedAt: null,
      },
    };

    expect(await finishRun(db, ref, forged)).toBe("unreadable");

    const after = await rowOf(ref.runId);
    expect(after).toMatchObject({
      tenantId: ref.tenantId,
      status: "failed",
      failureCode: "agent_crashed",
      failureReason: UNREADABLE_TURN_REASON,
      deliverable: null,
      inputTokens: null,
      costUsd: null,
    });
    expect(after.turnStartedAt).toEqual(before.turnStartedAt);
    expect(await timelineOf(ref.runId)).toEqual(["running", "failed"]);
    // The other tenant's run was not touched either.
    expect(await rowOf(other.runId)).toMatchObject({
      tenantId: other.tenantId,
      status: "running",
      deliverable: null,
    });
  });

  it.each([
    [
      "an extra top-level key",
      { kind: "complete", markdown: "# Brief", usage: ZERO_USAGE, tenantId: "x" },
    ],
    [
      "a failure code the turn never reports",
      { kind: "failed", code: "dispatch_lost", reason: "r", usage: ZERO_USAGE },
    ],
    [
      "negative tokens",
      { kind: "complete", markdown: "# Brief", usage: { ...ZERO_USAGE, inputTokens: -5 } },
    ],
    [
      "a deliverable over 1 MB",
      { kind: "complete", markdown: "x".repeat(1024 * 1024 + 1), usage: ZERO_USAGE },
    ],
    ["not an object at all", "complete"],
  ])("fails the run as agent_crashed for %s, storing nothing of it", async (_case, forged) => {
    const ref = await runningRun();
    expect(await finishRun(db, ref, forged)).toBe("unreadable");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "failed",
      failureCode: "agent_crashed",
      failureReason: UNREADABLE_TURN_REASON,
      deliverable: null,
      inputTokens: null,
    });
  });

  it("still records a real outcome: the deliverable, its masking and the usage", async () => {
    const ref = await runningRun();
    const outcome = {
      kind: "complete",
      markdown: "Call [phone number removed].",
      masked: { phone: 1 },
      usage: { ...ZERO_USAGE, inputTokens: 12, outputTokens: 7, costUsd: "0.000016" },
    };
    expect(await finishRun(db, ref, outcome)).toBe("complete");
    expect(await rowOf(ref.runId)).toMatchObject({
      status: "complete",
      deliverable: {
        type: "inline",
        format: "markdown",
        payload: "Call [phone number removed].",
        masked: { phone: 1 },
      },
      inputTokens: 12,
      outputTokens: 7,
      costUsd: "0.000016",
    });
  });

  it("a forged outcome for a run of another tenant changes nothing (the failure is a tenant-scoped compare-and-set)", async () => {
    const ref = await runningRun();
    const stranger = await runningRun();
    await finishRun(
      db,
      { runId: ref.runId, tenantId: stranger.tenantId },
      { kind: "complete", markdown: "x", usage: { tenantId: stranger.tenantId } },
    );
    expect(await rowOf(ref.runId)).toMatchObject({ status: "running", tenantId: ref.tenantId });
  });
});

describe("executeTurn keeps its output within what finish reads", () => {
  it("cuts a reason built from a long error message, so a real failure is never refused as unreadable", async () => {
    const { template, ref } = await createQueuedRun(db);
    const model = `openai-compatible:${"m".repeat(3_000)}`;
    await db
      .update(agentTemplates)
      .set({ defaultModel: model })
      .where(eq(agentTemplates.id, template.id));
    await markRunning(db, ref);
    expect(await resolveRunConfig(db, ref)).toBe(true);

    const outcome = await executeTurn(db, ref, (name) => {
      throw new ModelNotConfiguredError(name, ["OPENAI_COMPATIBLE_BASE_URL"]);
    });
    expect(outcome).toMatchObject({ kind: "failed", code: "model_not_configured" });
    expect(turnOutcomeSchema.safeParse(JSON.parse(JSON.stringify(outcome))).success).toBe(true);
    expect(await finishRun(db, ref, outcome)).toBe("failed");
    expect((await rowOf(ref.runId)).failureCode).toBe("model_not_configured");
  });
});

describe("failCrashedRun (run-skill's onFailure) reads the failure event as untrusted input", () => {
  it("an event that names no run changes nothing", async () => {
    const ref = await runningRun();
    for (const forged of [
      undefined,
      null,
      "x",
      { runId: "not-a-uuid", tenantId: ref.tenantId },
      { runId: ref.runId },
    ]) {
      expect(await failCrashedRun(db, forged, new Error("boom"))).toBe(false);
    }
    expect((await rowOf(ref.runId)).status).toBe("running");
  });

  it("keeps the reason storable and bounded whatever the error says", async () => {
    const ref = await runningRun();
    expect(
      await failCrashedRun(db, { ...ref, extra: "ignored" }, { message: "not an Error" }),
    ).toBe(true);
    expect((await rowOf(ref.runId)).failureReason).toBe("The run crashed: [object Object]");

    const long = await runningRun();
    expect(
      await failCrashedRun(db, long, new Error(`nul \u0000 and half \ud800 ${"x".repeat(10_000)}`)),
    ).toBe(true);
    const reason = (await rowOf(long.runId)).failureReason!;
    expect(reason.startsWith("The run crashed: nul \ufffd and half \ufffd x")).toBe(true);
    expect(reason).toHaveLength(MAX_FAILURE_REASON_CHARS);
  });
});
