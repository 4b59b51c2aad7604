import { describe, expect, it } from "vitest";
import type { RunStatus, ScheduleSlotOutcome } from "@/lib/enums";
import {
  failingStreak,
  failingStreakLabel,
  SLOT_HEALTH_TEXT,
  slotHealth,
  slotStripLabel,
  summarizeSlotHealth,
  type SlotHealth,
} from "./slot-health";

const fired = (status: RunStatus) => ({ outcome: "fired" as const, run: { status } });
const without = (outcome: ScheduleSlotOutcome) => ({ outcome, run: null });

describe("slotHealth", () => {
  it("judges a slot that fired by its run's state, not by the slot having fired", () => {
    expect(slotHealth(fired("complete"))).toBe("ok");
    expect(slotHealth(fired("failed"))).toBe("failed");
    expect(slotHealth(fired("cancelled"))).toBe("cancelled");
    expect(slotHealth(fired("running"))).toBe("running");
    expect(slotHealth(fired("queued"))).toBe("queued");
  });

  it("keeps the meaning of slots that started no run of their own", () => {
    // A skipped slot points at the previous slot's run, still going; that run's state is not this slot's.
    expect(slotHealth({ outcome: "skipped", run: { status: "failed" } })).toBe("skipped");
    expect(slotHealth(without("missed"))).toBe("missed");
    expect(slotHealth(without("failed"))).toBe("not_started");
  });

  it("does not call a fired slot healthy when its run is no longer recorded", () => {
    expect(slotHealth(without("fired"))).toBe("unknown");
  });

  it("never labels a slot that could not start a run like a run that failed", () => {
    expect(SLOT_HEALTH_TEXT.not_started.label).not.toBe(SLOT_HEALTH_TEXT.failed.label);
    expect(SLOT_HEALTH_TEXT.not_started.summary).not.toBe(SLOT_HEALTH_TEXT.failed.summary);
  });
});

describe("summarizeSlotHealth", () => {
  it("counts by health in a stable order, naming only what occurred", () => {
    const healths: SlotHealth[] = ["skipped", "ok", "ok", "failed", "ok", "ok", "ok", "ok"];
    expect(summarizeSlotHealth(healths)).toBe("6 ok · 1 failed · 1 skipped");
    expect(summarizeSlotHealth([...healths].reverse())).toBe("6 ok · 1 failed · 1 skipped");
  });

  it("never says fired, and lists every kind of slot", () => {
    const all: SlotHealth[] = [
      "unknown",
      "not_started",
      "missed",
      "missed",
      "skipped",
      "queued",
      "running",
      "cancelled",
      "failed",
      "failed",
      "failed",
      "ok",
    ];
    expect(summarizeSlotHealth(all)).toBe(
      "1 ok · 3 failed · 1 cancelled · 1 running · 1 queued · 1 skipped · 2 missed · 1 not started · 1 unknown",
    );
  });

  it("says so when there is nothing to count", () => {
    expect(summarizeSlotHealth([])).toBe("No slots yet.");
  });
});

describe("slotStripLabel", () => {
  it("names the number of slots, singular or plural, and their health", () => {
    expect(slotStripLabel(["ok", "failed", "ok"])).toBe("Last 3 slots: 2 ok, 1 failed");
    expect(slotStripLabel(["failed"])).toBe("Last slot: 1 failed");
    expect(slotStripLabel([])).toBe("No slots yet");
  });
});

describe("failingStreak", () => {
  it("counts the most recent runs that failed in a row", () => {
    expect(
      failingStreak([
        fired("failed"),
        fired("failed"),
        fired("failed"),
        fired("complete"),
        fired("failed"),
      ]),
    ).toBe(3);
    expect(failingStreak([fired("complete"), fired("failed"), fired("failed")])).toBe(0);
    expect(failingStreak([])).toBe(0);
  });

  it("looks past slots without a finished run of their own, and stops at a cancelled or unknown one", () => {
    const past = [
      fired("failed"),
      without("missed"),
      { outcome: "skipped" as const, run: { status: "running" as const } },
      fired("failed"),
    ];
    expect(failingStreak([fired("running"), fired("queued"), ...past])).toBe(2);
    expect(failingStreak([fired("failed"), fired("cancelled"), fired("failed")])).toBe(1);
    expect(failingStreak([fired("failed"), without("fired"), fired("failed")])).toBe(1);
  });
});

describe("failingStreakLabel", () => {
  it("speaks of a streak from two failures on", () => {
    expect(failingStreakLabel(0)).toBeNull();
    expect(failingStreakLabel(1)).toBeNull();
    expect(failingStreakLabel(2)).toBe("last 2 failed");
    expect(failingStreakLabel(12)).toBe("last 12 failed");
  });
});

describe("SLOT_HEALTH_TEXT", () => {
  it("has a label, a summary word and a meaning for each health", () => {
    for (const text of Object.values(SLOT_HEALTH_TEXT)) {
      expect(text.label).not.toBe("");
      expect(text.summary).not.toBe("");
      expect(text.meaning).not.toBe("");
    }
  });
});
