/**
 * The human review gate end to end through the embedded engine: run-skill pauses on a gated
 * tool call or a gated deliverable, run-skill-approval waits for the decision and continues the
 * same turn. The mock model counts its calls: a step that already happened never calls it again.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { MockLanguageModelV3 } from "ai/test";
import { and, eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { serve } from "inngest/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { RUN_APPROVAL_DECIDED } from "@/inngest/events";
import { createRunSkillFunction } from "@/inngest/functions/run-skill";
import { createRunSkillApprovalFunction } from "@/inngest/functions/run-skill-approval";
import { newEventKey, newSigningKey } from "@/scripts/lib/inngest";
import { agentTemplates, auditLog, runApprovals, runEvents, skillRuns } from "@/server/db/schema";
import { listPendingApprovals } from "@/server/services/runs/approval-queries";
import {
  ApprovalChangedError,
  ApprovalNotPendingError,
} from "@/server/services/runs/approval-errors";
import {
  claimResumption,
  failCrashedContinuation,
} from "@/server/services/runs/approval-resumption";
import { approveRuns, decideApproval } from "@/server/services/runs/approvals";
import { RunNotFoundError } from "@/server/services/runs/run-errors";
import { failCrashedRun } from "@/server/services/runs/run-lifecycle";
import { resumeTurn } from "@/server/services/runs/run-resume";
import { executeTurn, finishRun } from "@/server/services/runs/run-turn";
import { cancelRun, cancelRuns, startRun, type RunServiceDeps } from "@/server/services/runs/runs";
import { reconcileRuns } from "@/server/services/runs/reconcile";
import { createApiKey } from "@/server/services/access/api-keys";
import { createRunsApi } from "@/server/rest/runs-api";
import {
  createTenantWithSkill,
  createUser,
  openTestDatabase,
  waitForTerminalRun,
} from "./fixtures";
import { streamed } from "./streamed-model";

const { db } = openTestDatabase();

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};
const toolCall = (toolName: string, input: Record<string, unknown>) =>
  ({
    content: [
      {
        type: "tool-call",
        toolCallId: `call-${randomUUID()}`,
        toolName,
        input: JSON.stringify(input),
      },
    ],
    finishReason: { unified: "tool-calls", raw: "tool_calls" },
    usage,
    warnings: [],
  }) satisfies LanguageModelV3GenerateResult;
const answer = (text: string) =>
  ({
    content: [{ type: "text", text }],
    finishReason: { unified: "stop", raw: "stop" },
    usage,
    warnings: [],
  }) satisfies LanguageModelV3GenerateResult;

const audit = { actor: { type: "user" as const, id: null }, origin: "test" };
const decider = { userId: null, label: "Olivia Operator" };

let engine: Engine;
let app: http.Server;
let deps: RunServiceDeps;
const models = new Map<string, MockLanguageModelV3>();
const resolveModel = (name: string) => {
  const model = models.get(name);
  if (!model) throw new Error(`no model ${name} in this test`);
  return streamed(model);
};

beforeAll(async () => {
  const keys = { signingKey: newSigningKey(), eventKey: newEventKey() };
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
    ...keys,
  });
  const client = new Inngest({
    id: "skillrun-approvals-test",
    isDev: false,
    baseUrl: engine.url,
    ...keys,
  });
  const functions = [
    createRunSkillFunction({ client, db: () => db, resolveModel }),
    createRunSkillApprovalFunction({ client, db: () => db, resolveModel, concurrencyPerTenant: 1 }),
  ];
  app = http.createServer(serve({ client, functions }));
  await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
  await engine.syncApp(`http://127.0.0.1:${(app.address() as AddressInfo).port}/api/inngest`);
  deps = { db, dispatcher: client };
});
afterAll(async () => {
  await engine.close();
  app.closeAllConnections();
  app.close();
});

/** Every event reaches the engine but the decisions' (a send lost between commit and engine). */
const losingDecisions = (): RunServiceDeps => ({
  db,
  dispatcher: {
    send: async (event) => {
      const events = Array.isArray(event) ? event : [event];
      if (events.some((sent) => sent.name === RUN_APPROVAL_DECIDED))
        throw new Error("the engine is unreachable");
      return deps.dispatcher.send(event);
    },
  },
});

/** Olivia's decision on the run's pending request, as the inbox makes it. */
const decide = (
  tenantId: string,
  runId: string,
  decision: "approve" | "reject",
  reason: string | null = null,
) => decideApproval(deps, { tenantId, runId, decision, reason, decider, audit });

/** A tenant whose template gates `policy` and whose model answers with `script`, in order. */
async function tenantWith(
  policy: { tools?: string[]; deliverable?: boolean; timeoutSeconds?: number; maxSteps?: number },
  script: LanguageModelV3GenerateResult[],
  /** Awaited inside the model's n-th call (1-based) before it answers. */
  during?: (call: number) => Promise<void>,
) {
  const name = `mock:${randomUUID()}`;
  const prompts: LanguageModelV3CallOptions["prompt"][] = [];
  const model = new MockLanguageModelV3({
    doGenerate: async (options) => {
      prompts.push(options.prompt);
      const next = script[prompts.length - 1];
      if (!next) throw new Error(`the model was called ${prompts.length} times`);
      await during?.(prompts.length);
      return next;
    },
  });
  models.set(name, model);
  const { tenant, skill, template } = await createTenantWithSkill(db);
  await db
    .update(agentTemplates)
    .set({
      defaultModel: name,
      approvalTools: policy.tools ?? [],
      approveDeliverable: policy.deliverable ?? false,
      approvalTimeoutSeconds: policy.timeoutSeconds ?? 3600,
      ...(policy.maxSteps === undefined ? {} : { maxSteps: policy.maxSteps }),
    })
    .where(eq(agentTemplates.id, template.id));
  const start = async () =>
    (
      await startRun(deps, {
        tenantId: tenant.id,
        skill: { id: skill.id },
        inputs: {},
        source: "manual",
      })
    ).run.id;
  return { tenantId: tenant.id, start, prompts };
}

async function waitForStatus(runId: string, status: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    if (run?.status === status) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run?.status}, never ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const approvalStates = async (runId: string) =>
  (
    await db
      .select({ state: runApprovals.state })
      .from(runApprovals)
      .where(eq(runApprovals.runId, runId))
      .orderBy(runApprovals.requestedAt)
  ).map((row) => row.state);

const timeline = async (runId: string) =>
  db
    .select({ type: runEvents.type, payload: runEvents.payload })
    .from(runEvents)
    .where(eq(runEvents.runId, runId))
    .orderBy(runEvents.id);

describe("a gated tool call", () => {
  it("pauses before the tool; approved, the tool runs exactly once and the model goes on", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# It is now"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    expect(tenant.prompts).toHaveLength(1);
    const [pending] = await listPendingApprovals(db, tenant.tenantId);
    expect(pending).toMatchObject({
      runId,
      kind: "tool",
      toolCalls: [{ toolName: "current_time", server: null, input: {} }],
    });
    expect((await timeline(runId)).map((event) => event.type)).not.toContain("tool_call");

    await decide(tenant.tenantId, runId, "approve");
    const run = await waitForTerminalRun(db, runId, 30_000);

    expect(run.status).toBe("complete");
    expect(tenant.prompts).toHaveLength(2);
    const events = await timeline(runId);
    expect(events.filter((event) => event.type === "tool_call")).toHaveLength(1);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(["awaiting_approval", "approval_decided", "resumed", "complete"]),
    );
    expect(events.find((event) => event.type === "approval_decided")?.payload).toMatchObject({
      decision: "approved",
      by: "Olivia Operator",
    });
    // The second request carries the tool's result, after the first call's tool call.
    expect(JSON.stringify(tenant.prompts[1])).toContain('"type":"tool-result"');
    // Both model calls' tokens are counted.
    expect(run.inputTokens).toBe(20);
    const [entry] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.tenantId), eq(auditLog.action, "run.approve")));
    expect(entry?.targetId).toBe(runId);
  });

  it("rejected, the model's next request carries the refusal and why; the tool never runs", async () => {
    const tenant = await tenantWith({ tools: ["current_*"] }, [
      toolCall("current_time", {}),
      answer("# Done without it"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    await decide(tenant.tenantId, runId, "reject", "not during the freeze");
    const run = await waitForTerminalRun(db, runId, 30_000);

    expect(run.status).toBe("complete");
    expect(tenant.prompts).toHaveLength(2);
    expect(JSON.stringify(tenant.prompts[1])).toContain("not during the freeze");
    expect((await timeline(runId)).map((event) => event.type)).not.toContain("tool_call");
  });

  it("undecided past its timeout fails the run with approval_timeout, without another model call", async () => {
    const tenant = await tenantWith({ tools: ["current_time"], timeoutSeconds: 10 }, [
      toolCall("current_time", {}),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    const run = await waitForTerminalRun(db, runId, 40_000);

    expect(run).toMatchObject({ status: "failed", failureCode: "approval_timeout" });
    expect(run.inputTokens).toBe(10);
    expect(tenant.prompts).toHaveLength(1);
    const [approval] = await db.select().from(runApprovals).where(eq(runApprovals.runId, runId));
    expect(approval?.state).toBe("expired");
    // Too late: the decision is refused and changes nothing.
    await expect(decide(tenant.tenantId, runId, "approve")).rejects.toBeInstanceOf(
      ApprovalNotPendingError,
    );
  }, 60_000);

  it("is cancelled while it waits; a later decision is refused and nothing runs", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    await cancelRun(deps, { tenantId: tenant.tenantId, runId });
    await expect(decide(tenant.tenantId, runId, "approve")).rejects.toThrow(
      "cancelled, not awaiting approval",
    );

    const run = await waitForTerminalRun(db, runId, 5_000);
    expect(run.status).toBe("cancelled");
    expect(tenant.prompts).toHaveLength(1);
    expect(await listPendingApprovals(db, tenant.tenantId)).toEqual([]);
    // The request ended with the run, and the model call before the pause is counted.
    expect(await approvalStates(runId)).toEqual(["cancelled"]);
    expect(run).toMatchObject({ inputTokens: 10, outputTokens: 5 });
  });

  it("a crash of its function while it waits fails the run, ends the request and keeps its usage", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    expect(
      await failCrashedRun(db, { runId, tenantId: tenant.tenantId }, new Error("worker lost")),
    ).toBe(true);

    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({ status: "failed", failureCode: "agent_crashed", inputTokens: 10 });
    expect(await approvalStates(runId)).toEqual(["expired"]);
    await expect(decide(tenant.tenantId, runId, "approve")).rejects.toBeInstanceOf(
      ApprovalNotPendingError,
    );
  });

  it("bulk cancel of a waiting run ends its request and keeps its usage", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    const cancelled = await db.transaction((tx) =>
      cancelRuns(tx, {
        tenantId: tenant.tenantId,
        runIds: [runId],
        userId: null,
        bulkOperationId: randomUUID(),
      }),
    );

    expect(cancelled).toEqual([runId]);
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({ status: "cancelled", inputTokens: 10 });
    expect(await approvalStates(runId)).toEqual(["cancelled"]);
  });

  it("decided but not yet continued when cancelled: its usage counts, and the continuation keeps it", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const ref = { runId, tenantId: tenant.tenantId };
    await decideApproval(losingDecisions(), {
      ...ref,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });

    await cancelRun(deps, ref);

    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({ status: "cancelled", inputTokens: 10, outputTokens: 5 });
    // The decision stands (it was made); nothing continues it.
    expect(await approvalStates(runId)).toEqual(["approved"]);
    const [request] = await db.select().from(runApprovals).where(eq(runApprovals.runId, runId));
    const continued = await resumeTurn(db, ref, resolveModel, request!.id, "decision", "late");
    expect(continued).toMatchObject({ kind: "cancelled", usage: { inputTokens: 10 } });
    expect(tenant.prompts).toHaveLength(1);
  });

  it("a continued turn whose function crashes keeps the usage up to its pause", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const ref = { runId, tenantId: tenant.tenantId };
    await decideApproval(losingDecisions(), {
      ...ref,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });
    const [request] = await db.select().from(runApprovals).where(eq(runApprovals.runId, runId));
    expect(await claimResumption(db, ref, request!.id, "crashing")).toBe(true);

    expect(await failCrashedRun(db, ref, new Error("worker lost"))).toBe(true);

    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({ status: "failed", inputTokens: 10, outputTokens: 5 });
  });

  it("a crash of a continuation fails the run only while the run is that continuation's", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const ref = { runId, tenantId: tenant.tenantId };
    const { approvalId } = await decideApproval(losingDecisions(), {
      ...ref,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });
    expect(await claimResumption(db, ref, approvalId, "run-a")).toBe(true);
    const crashed = { ...ref, approvalId };

    expect(await failCrashedContinuation(db, crashed, new Error("lost"), "run-b")).toBe(false);
    const [running] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(running?.status).toBe("running");

    expect(await failCrashedContinuation(db, crashed, new Error("lost"), "run-a")).toBe(true);
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({ status: "failed", failureCode: "agent_crashed", inputTokens: 10 });
  });

  it("a re-executed turn step whose pause had committed reports the same request; the run still waits", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# After the crash"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const [pending] = await listPendingApprovals(db, tenant.tenantId);
    const ref = { runId, tenantId: tenant.tenantId };

    // The agent-turn step again, as the engine re-runs it when the app died before storing its result.
    const again = await executeTurn(db, ref, resolveModel);

    expect(again).toEqual({
      kind: "awaiting_approval",
      approvalId: pending!.approvalId,
      timeoutSeconds: 3600,
    });
    expect(await finishRun(db, ref, again)).toBe("awaiting_approval");
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run?.status).toBe("awaiting_approval");
    expect(await approvalStates(runId)).toEqual(["pending"]);
    expect(tenant.prompts).toHaveLength(1);

    await decide(tenant.tenantId, runId, "approve");
    expect((await waitForTerminalRun(db, runId, 30_000)).status).toBe("complete");
    expect(tenant.prompts).toHaveLength(2);
  });

  it("a re-executed turn step whose pause was decided since hands the run off; the continuation completes it", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Approved fast"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const ref = { runId, tenantId: tenant.tenantId };
    await decideApproval(losingDecisions(), {
      ...ref,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });
    const [request] = await db.select().from(runApprovals).where(eq(runApprovals.runId, runId));

    // The agent-turn step again (its result lost), after the approver was faster than the engine.
    const again = await executeTurn(db, ref, resolveModel);
    expect(again).toEqual({ kind: "continued_elsewhere", approvalId: request!.id });
    expect(await finishRun(db, ref, again)).toBe("continued_elsewhere");
    const [waiting] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(waiting?.status).toBe("awaiting_approval");

    const continued = await resumeTurn(db, ref, resolveModel, request!.id, "decision", "decided");
    await finishRun(db, ref, continued);
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run?.status).toBe("complete");
    expect(tenant.prompts).toHaveLength(2);
  });

  it("a re-executed continuing step of the same engine run reports the run's new pause; another engine run stands aside", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      toolCall("current_time", { again: true }),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const ref = { runId, tenantId: tenant.tenantId };
    const first = await decideApproval(losingDecisions(), {
      ...ref,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });

    // The continuing step, as one engine run executes it; it pauses again on the second call.
    const resumed = await resumeTurn(db, ref, resolveModel, first.approvalId, "decision", "run-a");
    expect(resumed).toMatchObject({ kind: "awaiting_approval" });
    // Its result was lost: the same engine run executes the step again, another one also comes.
    const again = await resumeTurn(db, ref, resolveModel, first.approvalId, "decision", "run-a");
    const other = await resumeTurn(db, ref, resolveModel, first.approvalId, "decision", "run-b");

    expect(again).toEqual(resumed);
    expect(other).toBeNull();
    expect(tenant.prompts).toHaveLength(2);
    expect(await approvalStates(runId)).toEqual(["approved", "pending"]);
    await cancelRun(deps, ref);
  });

  it("a re-executed continuing step whose turn had run ends the run as interrupted, not running until the stale cutoff", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Lost with the step's result"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const ref = { runId, tenantId: tenant.tenantId };
    const { approvalId } = await decideApproval(losingDecisions(), {
      ...ref,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });
    expect(await resumeTurn(db, ref, resolveModel, approvalId, "decision", "run-a")).toMatchObject({
      kind: "complete",
    });

    const again = await resumeTurn(db, ref, resolveModel, approvalId, "decision", "run-a");
    expect(again).toMatchObject({ kind: "failed", code: "interrupted" });
    await finishRun(db, ref, again);

    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({ status: "failed", failureCode: "interrupted" });
    expect(tenant.prompts).toHaveLength(2);
  });

  it("asked for in the template's last step, fails as max_steps without a pause: nothing could use its result", async () => {
    const tenant = await tenantWith({ tools: ["current_time"], maxSteps: 1 }, [
      toolCall("current_time", {}),
      answer("# One step too many"),
    ]);
    const runId = await tenant.start();

    const run = await waitForTerminalRun(db, runId, 15_000);

    expect(run).toMatchObject({ status: "failed", failureCode: "max_steps", inputTokens: 10 });
    expect(tenant.prompts).toHaveLength(1);
    expect(await approvalStates(runId)).toEqual([]);
  });

  it("two decisions at once: exactly one wins, the other changes nothing and says why", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Once"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    const results = await Promise.allSettled([
      decide(tenant.tenantId, runId, "approve"),
      decide(tenant.tenantId, runId, "reject", "no"),
    ]);

    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((result) => result.status === "rejected");
    expect(refused?.reason).toBeInstanceOf(ApprovalNotPendingError);
    await waitForTerminalRun(db, runId, 30_000);
    const decisions = (await timeline(runId)).filter((event) => event.type === "approval_decided");
    expect(decisions).toHaveLength(1);
  });

  it("a decision on a request the run no longer waits on changes nothing; the one shown is decided", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Shown"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const [pending] = await listPendingApprovals(db, tenant.tenantId);
    const decideSeen = (seen: { approvalId: string } | { actionKey: string }) =>
      decideApproval(deps, {
        tenantId: tenant.tenantId,
        runId,
        decision: "approve",
        reason: null,
        decider,
        audit,
        seen,
      });

    await expect(decideSeen({ approvalId: randomUUID() })).rejects.toBeInstanceOf(
      ApprovalChangedError,
    );
    await expect(
      approveRuns(deps, {
        tenantId: tenant.tenantId,
        runIds: [runId],
        actionKey: "another action",
        decider,
        audit,
      }),
    ).resolves.toEqual([{ runId, approved: false, error: "approval_changed" }]);
    const [still] = await db.select().from(runApprovals).where(eq(runApprovals.runId, runId));
    expect(still?.state).toBe("pending");

    await decideSeen({ approvalId: pending!.approvalId });
    expect((await waitForTerminalRun(db, runId, 30_000)).status).toBe("complete");
  });

  it("another tenant's decision on the run is not found and changes nothing", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [toolCall("current_time", {})]);
    const other = await createTenantWithSkill(db);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    await expect(decide(other.tenant.id, runId, "approve")).rejects.toBeInstanceOf(
      RunNotFoundError,
    );

    const [approval] = await db.select().from(runApprovals).where(eq(runApprovals.runId, runId));
    expect(approval?.state).toBe("pending");
    await cancelRun(deps, { tenantId: tenant.tenantId, runId });
  });
});

describe("continued turns of a tenant", () => {
  it("a continued turn waits for a slot held by the tenant's new turn: one limit for both", async () => {
    let executing = 0;
    let mostAtOnce = 0;
    let waiting = "";
    const tenant = await tenantWith(
      { tools: ["current_time"] },
      [toolCall("current_time", {}), answer("# New"), answer("# Continued")],
      async (call) => {
        if (call === 1) return;
        executing += 1;
        mostAtOnce = Math.max(mostAtOnce, executing);
        if (call === 2) await decide(tenant.tenantId, waiting, "approve");
        // Long enough for the continued turn to start meanwhile, were it let through.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        executing -= 1;
      },
    );
    waiting = await tenant.start();
    await waitForStatus(waiting, "awaiting_approval");
    const fresh = await tenant.start();

    expect((await waitForTerminalRun(db, fresh, 30_000)).status).toBe("complete");
    expect((await waitForTerminalRun(db, waiting, 30_000)).status).toBe("complete");
    // The approval function's limit is 1 per tenant (beforeAll), its slot shared with run-skill's.
    expect(mostAtOnce).toBe(1);
    expect(tenant.prompts).toHaveLength(3);
  });

  it("a bulk approve continues them the tenant's limit at a time", async () => {
    let executing = 0;
    let mostAtOnce = 0;
    const tenant = await tenantWith(
      { tools: ["current_time"] },
      [toolCall("current_time", {}), toolCall("current_time", {}), answer("# A"), answer("# B")],
      async (call) => {
        if (call <= 2) return;
        executing += 1;
        mostAtOnce = Math.max(mostAtOnce, executing);
        // Long enough for the other continued turn to start meanwhile, were it let through.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        executing -= 1;
      },
    );
    const runIds = [await tenant.start(), await tenant.start()];
    for (const runId of runIds) await waitForStatus(runId, "awaiting_approval");
    const [pending] = await listPendingApprovals(db, tenant.tenantId);

    const decided = await approveRuns(deps, {
      tenantId: tenant.tenantId,
      runIds,
      actionKey: pending!.actionKey,
      decider,
      audit,
    });
    expect(decided.every((result) => result.approved)).toBe(true);
    for (const runId of runIds)
      expect((await waitForTerminalRun(db, runId, 30_000)).status).toBe("complete");

    // The approval function was given a limit of 1 per tenant (beforeAll).
    expect(mostAtOnce).toBe(1);
    expect(tenant.prompts).toHaveLength(4);
  });
});

describe("a gated deliverable", () => {
  it("approved, the run completes with the draft", async () => {
    const tenant = await tenantWith({ deliverable: true }, [answer("# Draft for the customer")]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    const [pending] = await listPendingApprovals(db, tenant.tenantId);
    expect(pending).toMatchObject({ kind: "deliverable", draft: "# Draft for the customer" });

    await decide(tenant.tenantId, runId, "approve");
    const run = await waitForTerminalRun(db, runId, 30_000);

    expect(run.status).toBe("complete");
    expect(run.deliverable?.payload).toBe("# Draft for the customer");
    expect(tenant.prompts).toHaveLength(1);
  });

  it("rejected, the run fails as deliverable_rejected with who and why", async () => {
    const tenant = await tenantWith({ deliverable: true }, [answer("# Draft")]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    await decide(tenant.tenantId, runId, "reject", "wrong customer");
    const run = await waitForTerminalRun(db, runId, 30_000);

    expect(run).toMatchObject({ status: "failed", failureCode: "deliverable_rejected" });
    expect(run.failureReason).toContain("Olivia Operator");
    expect(run.failureReason).toContain("wrong customer");
    expect(run.deliverable).toBeNull();
  });
});

describe("the reconciler and a waiting run", () => {
  it("sends a decision whose event never reached the engine again, with its id; the run continues once", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Despite the lost event"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");
    await decideApproval(losingDecisions(), {
      tenantId: tenant.tenantId,
      runId,
      decision: "approve",
      reason: null,
      decider,
      audit,
    });
    // Nothing else continues it: its request's own wait lasts an hour.
    const [decided] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(decided?.status).toBe("awaiting_approval");

    const options = {
      staleRunningMs: 30 * 60_000,
      dispatchRetryMs: 60_000,
      dispatchLostMs: 48 * 3_600_000,
      batchSize: 100,
    };
    const twoMinutesLater = new Date(Date.now() + 120_000);
    expect((await reconcileRuns(deps, options, twoMinutesLater)).decisionsResent).toContain(runId);
    // Once sent, never again: a second tick before the run resumed leaves it to the engine.
    expect((await reconcileRuns(deps, options, twoMinutesLater)).decisionsResent).not.toContain(
      runId,
    );

    const run = await waitForTerminalRun(db, runId, 30_000);
    expect(run.status).toBe("complete");
    expect(tenant.prompts).toHaveLength(2);
    const events = (await timeline(runId)).map((event) => event.type);
    expect(events.filter((type) => type === "tool_call")).toHaveLength(1);
    expect(events.filter((type) => type === "resumed")).toHaveLength(1);
    expect((await reconcileRuns(deps, options, twoMinutesLater)).decisionsResent).not.toContain(
      runId,
    );
  });

  it("marks a decision whose event reached the engine as sent: the reconciler never sends it again", async () => {
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Sent once"),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    const { approvalId } = await decide(tenant.tenantId, runId, "approve");

    const [sent] = await db.select().from(runApprovals).where(eq(runApprovals.id, approvalId));
    expect(sent?.decisionSentAt).toBeInstanceOf(Date);
    expect((await waitForTerminalRun(db, runId, 30_000)).status).toBe("complete");
  });

  it("fails a run whose wait ended long ago with nothing to continue it: its request expires, its usage counts", async () => {
    const tenant = await tenantWith({ tools: ["current_time"], timeoutSeconds: 600 }, [
      toolCall("current_time", {}),
    ]);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    // An hour later: the 10-min wait ended 50 min ago, past the 30-min stale cutoff.
    const result = await reconcileRuns(
      deps,
      {
        staleRunningMs: 30 * 60_000,
        dispatchRetryMs: 24 * 3_600_000,
        dispatchLostMs: 48 * 3_600_000,
        batchSize: 100,
      },
      new Date(Date.now() + 3_600_000),
    );

    expect(result.approvalLost).toContain(runId);
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toMatchObject({
      status: "failed",
      failureCode: "approval_timeout",
      inputTokens: 10,
    });
    expect(await approvalStates(runId)).toEqual(["expired"]);
  });

  it("leaves a run waiting within its timeout alone, however long it has waited", async () => {
    const tenant = await tenantWith({ tools: ["current_time"], timeoutSeconds: 24 * 3600 }, [
      toolCall("current_time", {}),
    ]);
    const runId = await tenant.start();
    const waiting = await waitForStatus(runId, "awaiting_approval");
    const eventsBefore = await timeline(runId);

    // 23 h after it started, of its 24-h wait, with the stale cutoff just after its start: it
    // is reconciled as a run long past every cutoff, and only runs as old as it can be.
    const startedAt = waiting.startedAt!.getTime();
    const result = await reconcileRuns(
      deps,
      {
        staleRunningMs: 23 * 3_600_000 - 1,
        dispatchRetryMs: 48 * 3_600_000,
        dispatchLostMs: 96 * 3_600_000,
        batchSize: 100,
      },
      new Date(startedAt + 23 * 3_600_000),
    );

    expect(result.approvalLost).not.toContain(runId);
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    expect(run).toEqual(waiting);
    expect(await timeline(runId)).toEqual(eventsBefore);
    expect(await approvalStates(runId)).toEqual(["pending"]);
    await cancelRun(deps, { tenantId: tenant.tenantId, runId });
  });
});

describe("REST POST /runs/:id/approve|reject", () => {
  async function operatorKey(tenantId: string) {
    const user = await createUser(db, [{ tenantId, role: "owner" }]);
    const { key } = await createApiKey(
      db,
      { tenantId, userId: user.id, userRole: "owner", audit },
      { name: "ops", role: "operator" },
    );
    return key;
  }
  const post = (path: string, key: string, body: unknown) =>
    new Request(`http://localhost/api/v1${path}`, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    });

  it("lists the run under status=awaiting_approval, refuses a reject without a reason, approves", async () => {
    const api = createRunsApi({ db: () => db, dispatcher: deps.dispatcher });
    const tenant = await tenantWith({ tools: ["current_time"] }, [
      toolCall("current_time", {}),
      answer("# Approved by key"),
    ]);
    const key = await operatorKey(tenant.tenantId);
    const runId = await tenant.start();
    await waitForStatus(runId, "awaiting_approval");

    const listed = await api.list(
      new Request("http://localhost/api/v1/runs?status=awaiting_approval", {
        headers: { authorization: `Bearer ${key}` },
      }),
    );
    expect(((await listed.json()) as { runs: { id: string }[] }).runs.map((run) => run.id)).toEqual(
      [runId],
    );

    const noReason = await api.reject(post(`/runs/${runId}/reject`, key, {}), runId);
    expect(noReason.status).toBe(400);
    expect(await noReason.text()).toContain("reason");
    expect((await waitForStatus(runId, "awaiting_approval")).status).toBe("awaiting_approval");

    const approved = await api.approve(post(`/runs/${runId}/approve`, key, {}), runId);
    expect(approved.status).toBe(200);
    expect((await waitForTerminalRun(db, runId, 30_000)).status).toBe("complete");
    const decided = (await timeline(runId)).find((event) => event.type === "approval_decided");
    expect(decided?.payload).toMatchObject({ decision: "approved", by: "API key ops" });

    const again = await api.approve(post(`/runs/${runId}/approve`, key, {}), runId);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("not awaiting approval");
  });
});
