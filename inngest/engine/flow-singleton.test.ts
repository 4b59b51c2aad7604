import { describe, expect, it } from "vitest";
import { singletonConfigOf, singletonKey, SingletonLocks } from "./flow-singleton";
import type { FunctionConfig, InngestEvent } from "./protocol";

const base: FunctionConfig = { id: "fn", triggers: [], steps: {} };
const event = (data: Record<string, unknown>): InngestEvent => ({
  name: "e",
  data,
  id: "1",
  ts: 1,
  user: {},
});

describe("singletonConfigOf", () => {
  it("reads the SDK's shape; an unknown mode is no singleton", () => {
    expect(singletonConfigOf({ ...base, singleton: { mode: "skip" } })).toEqual({ mode: "skip" });
    expect(
      singletonConfigOf({ ...base, singleton: { mode: "cancel", key: "event.data.user" } }),
    ).toEqual({ mode: "cancel", key: "event.data.user" });
    expect(singletonConfigOf({ ...base, singleton: { mode: "queue" } })).toBeUndefined();
    expect(singletonConfigOf(base)).toBeUndefined();
  });
});

describe("singletonKey", () => {
  it("is the function without a key, the key's value with one, and none when it is false", () => {
    expect(singletonKey("fn", { mode: "skip" }, event({}))).toBe("fn");
    const keyed = { mode: "skip" as const, key: "event.data.user" };
    expect(singletonKey("fn", keyed, event({ user: "u1" }))).toBe("fn\u0000u1");
    expect(singletonKey("fn", keyed, event({ user: 7 }))).toBe("fn\u00007");
    expect(
      singletonKey("fn", { mode: "skip", key: "event.data.vip == true" }, event({ vip: false })),
    ).toBeNull();
  });
});

describe("SingletonLocks", () => {
  it("a claim returns the holder it replaces; release frees the key or restores the previous holder", () => {
    const locks = new SingletonLocks();
    expect(locks.claim("k", "run-1")).toBeUndefined();
    expect(locks.claim("k", "run-2")).toBe("run-1");
    locks.release("run-1");
    expect(locks.holder("k")).toBe("run-2");
    // run-2's statement created nothing: run-1 holds the key again.
    locks.release("run-2", "run-1");
    expect(locks.holder("k")).toBe("run-1");
    locks.release("run-1");
    expect(locks.holder("k")).toBeUndefined();
    expect(locks.size).toBe(0);
  });
});
