import { describe, expect, it } from "vitest";
import {
  ORPHAN_SCAN_LIMIT,
  ORPHAN_SCAN_WINDOW_MS,
  orphanScanUntilAfter,
  planOrphans,
  type OrphanRow,
} from "./orphan-scan";

const row = (id: number, runId: string, fields: Partial<OrphanRow> = {}): OrphanRow => ({
  id: String(id),
  run_id: runId,
  kind: "execute",
  step_id: "step",
  attempt: 0,
  wait_id: null,
  run_at: new Date(0),
  running: true,
  old_enough: true,
  ...fields,
});

describe("planOrphans", () => {
  it("schedules rows of running runs nobody holds, and passes held and ended runs' rows", () => {
    const plan = planOrphans(
      [
        row(11, "held"),
        row(12, "ended", { running: false }),
        row(13, "lost"),
        row(14, "pruned", { running: null }),
      ],
      10,
      (runId) => runId === "held",
    );
    expect(plan.orphans.map((item) => [item.id, item.runId])).toEqual([[13, "lost"]]);
    expect(plan.mark).toBe(14);
  });

  it("stops at a run too young to judge, so the next scan sees it again", () => {
    const plan = planOrphans(
      [row(21, "held"), row(22, "young", { old_enough: false }), row(23, "lost")],
      20,
      (runId) => runId === "held",
    );
    expect(plan.orphans).toEqual([]);
    expect(plan.mark).toBe(21);
  });
});

describe("orphanScanUntilAfter", () => {
  it("keeps scanning while a scan reads a full page, and ends the window as set otherwise", () => {
    expect(orphanScanUntilAfter(1_000, 5_000, ORPHAN_SCAN_LIMIT)).toBe(
      5_000 + ORPHAN_SCAN_WINDOW_MS,
    );
    expect(orphanScanUntilAfter(1_000, 5_000, ORPHAN_SCAN_LIMIT - 1)).toBe(1_000);
    expect(orphanScanUntilAfter(90_000, 5_000, ORPHAN_SCAN_LIMIT)).toBe(90_000);
  });
});
