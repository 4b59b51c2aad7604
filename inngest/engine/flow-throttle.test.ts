import { afterEach, describe, expect, it, vi } from "vitest";
import {
  gcra,
  throttleConfigOf,
  throttleKey,
  ThrottleGate,
  type ThrottleConfig,
} from "./flow-throttle";
import type { FunctionConfig, InngestEvent } from "./protocol";

const base: FunctionConfig = { id: "fn", triggers: [], steps: {} };
const event: InngestEvent = { name: "e", data: { tenant: "a" }, id: "1", ts: 1, user: {} };

describe("throttleConfigOf", () => {
  it("reads the SDK's shape; burst defaults to 0; an invalid limit or period is no throttle", () => {
    expect(throttleConfigOf({ ...base, throttle: { limit: 2, period: "1m" } })).toEqual({
      limit: 2,
      periodMs: 60_000,
      burst: 0,
    });
    expect(
      throttleConfigOf({
        ...base,
        throttle: { limit: 1, period: "1s", burst: 3, key: "event.data.tenant" },
      }),
    ).toEqual({ limit: 1, periodMs: 1_000, burst: 3, key: "event.data.tenant" });
    expect(throttleConfigOf({ ...base, throttle: { limit: 0, period: "1s" } })).toBeUndefined();
    expect(throttleConfigOf({ ...base, throttle: { limit: 1, period: "soon" } })).toBeUndefined();
    expect(throttleConfigOf(base)).toBeUndefined();
  });

  it("keys by function, and by the key expression's value", () => {
    const config: ThrottleConfig = {
      limit: 1,
      periodMs: 1_000,
      burst: 0,
      key: "event.data.tenant",
    };
    expect(throttleKey("fn", config, event)).toBe("fn\u0000a");
    expect(throttleKey("fn", { ...config, key: undefined }, event)).toBe("fn");
  });
});

describe("gcra", () => {
  const limit3 = { limit: 3, periodMs: 3_000, burst: 0 };

  it("lets `limit` starts through at once, then one per period/limit", () => {
    let tat: number | undefined;
    const at = (now: number) => {
      const verdict = gcra(tat, now, limit3);
      if (verdict.allowed) tat = verdict.tat;
      return verdict;
    };
    expect(at(0).allowed).toBe(true);
    expect(at(0).allowed).toBe(true);
    expect(at(0).allowed).toBe(true);
    expect(at(0)).toEqual({ allowed: false, retryAt: 1_000 });
    expect(at(999).allowed).toBe(false);
    expect(at(1_000).allowed).toBe(true);
    expect(at(1_000)).toEqual({ allowed: false, retryAt: 2_000 });
  });

  it("burst adds starts at once after a quiet spell, not to the steady rate", () => {
    const config = { limit: 1, periodMs: 1_000, burst: 2 };
    let tat: number | undefined;
    const allowed: number[] = [];
    for (let now = 0; now <= 3_000; now += 100) {
      for (;;) {
        const verdict = gcra(tat, now, config);
        if (!verdict.allowed) break;
        tat = verdict.tat;
        allowed.push(now);
      }
    }
    expect(allowed).toEqual([0, 0, 0, 1_000, 2_000, 3_000]);
  });

  it("a quiet spell refills: the TAT never lags behind now", () => {
    const verdict = gcra(0, 60_000, limit3);
    expect(verdict).toEqual({ allowed: true, tat: 61_000 });
  });
});

describe("ThrottleGate", () => {
  afterEach(() => vi.useRealTimers());

  it("delays what is over the limit, hands it back in run order, and drops a run that ended", () => {
    vi.useFakeTimers({ now: 0 });
    const handed: string[] = [];
    const gate = new ThrottleGate<string>((items) => handed.push(...items));
    const config: ThrottleConfig = { limit: 1, periodMs: 1_000, burst: 0 };
    expect(gate.admit("k", config, "run-1", 1, 0)).toBe(true);
    expect(gate.admit("k", config, "run-3", 3, 0)).toBe(false);
    expect(gate.admit("k", config, "run-2", 2, 0)).toBe(false);
    expect(gate.admit("k", config, "run-4", 4, 0)).toBe(false);
    // A newcomer does not jump the line while others wait, even once the period allows.
    expect(gate.admit("k", config, "run-5", 5, 5_000)).toBe(false);
    gate.drop((item) => item === "run-4");
    expect(gate.waitingCount()).toBe(3);

    vi.advanceTimersByTime(999);
    expect(handed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(handed).toEqual(["run-2"]);
    vi.advanceTimersByTime(1_000);
    expect(handed).toEqual(["run-2", "run-3"]);
    vi.advanceTimersByTime(1_000);
    expect(handed).toEqual(["run-2", "run-3", "run-5"]);
    expect(gate.waitingCount()).toBe(0);
    gate.stop();
  });
});
