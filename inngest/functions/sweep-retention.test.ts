/**
 * The retention sweep splits its tenants into steps of TENANTS_PER_STEP, each one service call,
 * so many tenants stay far under Inngest's limit of steps per function run. The sweeps
 * themselves are tested in server/services/runs/retention.test.ts; here they only count.
 */
import type { Inngest } from "inngest";
import { describe, expect, it, vi } from "vitest";
import { setupEngine, uniqueName } from "@/inngest/engine/test/harness";
import type { Database } from "@/server/db/client";
import { sweepTenantsRetention, tenantsWithRetention } from "@/server/services/runs/retention";
import { createSweepRetentionFunction, TENANTS_PER_STEP } from "./sweep-retention";

vi.mock("@/server/services/runs/retention", () => ({
  SWEEP_BATCHES: { batchSize: 200, maxBatches: 250 },
  tenantsWithRetention: vi.fn(),
  sweepTenantsRetention: vi.fn(),
}));

const t = setupEngine();

describe("sweep-retention", () => {
  it("sweeps every tenant once, TENANTS_PER_STEP tenants a step", async () => {
    const tenants = Array.from({ length: TENANTS_PER_STEP * 2 + 7 }, (_, i) => `tenant-${i}`);
    vi.mocked(tenantsWithRetention).mockResolvedValue(tenants);
    const chunks: string[][] = [];
    vi.mocked(sweepTenantsRetention).mockImplementation(async (_db, ids) => {
      chunks.push([...ids]);
      return { runs: ids.length * 2 };
    });
    const client = t.client("sweep-retention");
    const sweeper = createSweepRetentionFunction({
      client: client as Inngest.Any,
      db: () => ({}) as Database,
    });
    const eventName = uniqueName("sweep-retention/tick");
    const ticker = client.createFunction(
      { id: "ticker", triggers: [{ event: eventName }] },
      async ({ step }) => step.invoke("tick", { function: sweeper, timeout: "30s" }),
    );
    await t.serve(client, [sweeper, ticker]);

    const [tick] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(tick!, "Completed");
    expect(run.output).toEqual({ tenants: tenants.length, runsDeleted: tenants.length * 2 });
    expect(chunks.map((chunk) => chunk.length)).toEqual([TENANTS_PER_STEP, TENANTS_PER_STEP, 7]);
    expect(chunks.flat()).toEqual(tenants);
  });
});
