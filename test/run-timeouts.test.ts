/**
 * run-skill's `timeouts` end to end, on the embedded engine: a run that waited or ran too long
 * ends `failed` with `start_timeout` / `run_timeout`, through run-skill-timed-out. The real
 * functions, served over HTTP; one tenant slot (`concurrencyPerTenant: 1`) makes the backlog.
 */
import { describe, expect, it } from "vitest";
import { openTestDatabase, waitForTerminalRun } from "./fixtures";
import { serveRunSkillApp } from "./run-skill-app";

const { db } = openTestDatabase();
const { tenantWithModel, waitForStatus } = serveRunSkillApp(db, {
  startSeconds: 2,
  finishSeconds: 4,
});

describe("run-skill timeouts", () => {
  it("a run that ran too long fails as run_timeout; one that could not start meanwhile fails as start_timeout", async () => {
    const { start } = await tenantWithModel({ blocks: "every call" });
    const long = await start("manual");
    await waitForStatus(long, "running");
    // The tenant's one slot is held by the long run's turn: this one cannot start.
    const waiting = await start("manual");

    const neverStarted = await waitForTerminalRun(db, waiting, 15_000);
    expect(neverStarted).toMatchObject({
      status: "failed",
      failureCode: "start_timeout",
      startedAt: null,
    });
    expect(neverStarted.failureReason).toContain("2 s");
    const ranTooLong = await waitForTerminalRun(db, long, 15_000);
    expect(ranTooLong).toMatchObject({ status: "failed", failureCode: "run_timeout" });
    expect(ranTooLong.failureReason).toContain("4 s");
  });
});
