/**
 * run-skill's `priority` end to end, on the embedded engine: a console run starts ahead of the
 * tenant's scheduled backlog. Timeouts far beyond the test's length, so every run of the backlog
 * starts and the order is always checked.
 */
import { describe, expect, it } from "vitest";
import { openTestDatabase, waitForTerminalRun } from "./fixtures";
import { serveRunSkillApp } from "./run-skill-app";

const { db } = openTestDatabase();
const { tenantWithModel, waitForStatus } = serveRunSkillApp(db, {
  startSeconds: 3600,
  finishSeconds: 3600,
});

describe("run-skill priority", () => {
  it("a console run starts ahead of the tenant's scheduled backlog", async () => {
    const { start, release } = await tenantWithModel({ blocks: "the first call" });
    // The tenant's one slot is held by a scheduled run's turn while the backlog queues up.
    const blocker = await start("schedule");
    await waitForStatus(blocker, "running");
    const scheduled = [await start("schedule"), await start("schedule")];
    const manual = await start("manual");
    release();

    // Deadlines, not timings: generous on a busy machine.
    const manualRun = await waitForTerminalRun(db, manual, 60_000);
    expect(manualRun).toMatchObject({ status: "complete", startedAt: expect.any(Date) });
    for (const id of scheduled) {
      const run = await waitForTerminalRun(db, id, 60_000);
      // Every scheduled run of the backlog started, and only after the console run.
      expect(run).toMatchObject({ status: "complete", startedAt: expect.any(Date) });
      expect(run.startedAt?.getTime()).toBeGreaterThan(manualRun.startedAt?.getTime() ?? Infinity);
    }
  }, 180_000);
});
