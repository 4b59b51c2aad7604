/**
 * The cron sweepers (fire-schedules, reconcile-runs, fold-run-rollup, sweep-retention,
 * evaluate-alerts, queue-run-deliveries) are singletons in skip mode: a run that would overlap the one under way is
 * dropped, not queued behind it. Served to the embedded engine with their sweeps held open; a second run of each is started the way any run is (here by an
 * invoke, since the cron ticks once a minute) while the first is still sweeping.
 */
import type { Inngest } from "inngest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { gate, setupEngine, uniqueName, waitFor, type Gate } from "@/inngest/engine/test/harness";
import type { Database } from "@/server/db/client";
import { reconcileRuns } from "@/server/services/runs/reconcile";
import { foldFinishedRunsBacklog } from "@/server/services/runs/run-rollup";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { tenantsWithRetention } from "@/server/services/runs/retention";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import { scanRunFailures } from "@/server/services/alerts/run-failures";
import { queueDueDeliveries } from "@/server/services/deliveries/queue";
import { createQueueRunDeliveriesFunction } from "./deliver-run-result";
import { createEvaluateAlertsFunction } from "./evaluate-alerts";
import { createFireSchedulesFunction } from "./fire-schedules";
import { createFoldRunRollupFunction } from "./fold-run-rollup";
import { createReconcileRunsFunction } from "./reconcile-runs";
import { createSweepRetentionFunction } from "./sweep-retention";

vi.mock("@/server/services/runs/reconcile", () => ({ reconcileRuns: vi.fn() }));
vi.mock("@/server/services/runs/bulk-resend", () => ({
  resendLostBulkOperations: vi.fn(async () => 0),
}));
vi.mock("@/server/services/schedules/schedule-firing", () => ({ fireDueSchedules: vi.fn() }));
vi.mock("@/server/services/runs/run-rollup", () => ({ foldFinishedRunsBacklog: vi.fn() }));
// Nothing to judge: the held first scan is the whole evaluation.
vi.mock("@/server/services/alerts/run-failures", () => ({ scanRunFailures: vi.fn() }));
vi.mock("@/server/services/alerts/triggers", () => ({
  evaluateFailureRates: vi.fn(async () => []),
  scanScheduleProblems: vi.fn(async () => []),
  scanBudgetCrossings: vi.fn(async () => []),
}));
vi.mock("@/server/services/alerts/approval-waits", () => ({
  scanApprovalWaits: vi.fn(async () => []),
}));
vi.mock("@/server/services/alerts/deliveries", () => ({ pruneAlertNotices: vi.fn() }));
vi.mock("@/server/services/deliveries/queue", () => ({ queueDueDeliveries: vi.fn() }));
// No tenant has a policy: the held first step is the whole sweep.
vi.mock("@/server/services/runs/retention", () => ({
  tenantsWithRetention: vi.fn(),
  sweepTenantsRetention: vi.fn(),
}));

const t = setupEngine();
const deps = (client: Inngest.Any) => ({
  client,
  db: () => ({}) as Database,
  dispatcher: {} as RunDispatcher,
});

let held: Gate | undefined;
afterEach(() => held?.release());

describe.each([
  {
    id: "fire-schedules",
    create: (client: Inngest.Any) => createFireSchedulesFunction(deps(client)),
    sweep: vi.mocked(fireDueSchedules),
  },
  {
    id: "reconcile-runs",
    create: (client: Inngest.Any) => createReconcileRunsFunction(deps(client)),
    sweep: vi.mocked(reconcileRuns),
  },
  {
    id: "fold-run-rollup",
    create: (client: Inngest.Any) => createFoldRunRollupFunction(deps(client)),
    sweep: vi.mocked(foldFinishedRunsBacklog),
  },
  {
    id: "sweep-retention",
    create: (client: Inngest.Any) => createSweepRetentionFunction(deps(client)),
    sweep: vi.mocked(tenantsWithRetention),
  },
  {
    id: "evaluate-alerts",
    create: (client: Inngest.Any) => createEvaluateAlertsFunction(deps(client)),
    sweep: vi.mocked(scanRunFailures),
  },
  {
    id: "queue-run-deliveries",
    create: (client: Inngest.Any) => createQueueRunDeliveriesFunction(deps(client)),
    sweep: vi.mocked(queueDueDeliveries),
  },
])("$id", ({ id, create, sweep }) => {
  it("a run overlapping the one under way is skipped, and runs again once that one ended", async () => {
    const release = gate();
    held = release;
    let sweeps = 0;
    sweep.mockImplementation(async () => {
      sweeps++;
      await release.promise;
      return (
        id === "sweep-retention" || id === "evaluate-alerts" || id === "queue-run-deliveries"
          ? []
          : {}
      ) as never;
    });
    const client = t.client(id);
    const sweeper = create(client);
    const eventName = uniqueName(`${id}/tick`);
    const ticker = client.createFunction(
      { id: "ticker", triggers: [{ event: eventName }] },
      async ({ step }) => {
        await step.invoke("tick", { function: sweeper, timeout: "30s" });
        return "ticked";
      },
    );
    await t.serve(client, [sweeper, ticker]);

    const [first] = await t.send({ name: eventName });
    await waitFor(() => sweeps === 1, { message: `${id}'s first sweep started` });
    const [overlapping] = await t.send({ name: eventName });
    const skipped = await waitFor(
      () =>
        t.logs.find(
          (line) =>
            line.msg === "run.skipped" &&
            line.reason === "singleton" &&
            String(line.function).endsWith(id),
        ),
      { message: `the overlapping ${id} run is skipped` },
    );
    expect(skipped).toMatchObject({ msg: "run.skipped" });
    expect(sweeps).toBe(1);

    release.release();
    await t.finishedRunOf(first!, "Completed");
    const overlappingRun = await t.runOf(overlapping!);
    expect(overlappingRun.status).toBe("Running");
    expect(sweeps).toBe(1);
    // Once the first sweep ended, a new run sweeps again.
    const [later] = await t.send({ name: eventName });
    await t.finishedRunOf(later!, "Completed");
    expect(sweeps).toBe(2);
  });
});
