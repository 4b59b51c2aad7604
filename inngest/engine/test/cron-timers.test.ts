import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CronTimers } from "../cron-timers";

describe("CronTimers", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fires an armed tick once when due; arming again replaces it", () => {
    const timers = new CronTimers();
    const fired: string[] = [];
    timers.arm("fn", "* * * * *", 1_000, () => fired.push("first"));
    timers.arm("fn", "* * * * *", 2_000, () => fired.push("second"));
    vi.advanceTimersByTime(1_500);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1_000);
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual(["second"]);
  });

  it("fires a past tick at once, and a retry set beside an armed tick lets both fire", () => {
    const timers = new CronTimers();
    const fired: string[] = [];
    timers.arm("fn", "@every 1m", -5_000, () => fired.push("late"));
    vi.advanceTimersByTime(0);
    expect(fired).toEqual(["late"]);
    timers.arm("fn", "@every 1m", 500, () => fired.push("armed"));
    timers.set("fn", "@every 1m", 1_000, () => fired.push("retry"));
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(["late", "armed", "retry"]);
  });

  it("disarms the ticks of the functions selected, and clear disarms all", () => {
    const timers = new CronTimers();
    const fired: string[] = [];
    timers.arm("a", "* * * * *", 1_000, () => fired.push("a"));
    timers.arm("b", "* * * * *", 1_000, () => fired.push("b"));
    timers.arm("c", "0 * * * *", 1_000, () => fired.push("c"));
    timers.disarm((slug) => slug === "a");
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(["b", "c"]);
    timers.arm("b", "* * * * *", 1_000, () => fired.push("b again"));
    timers.clear();
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual(["b", "c"]);
  });
});
