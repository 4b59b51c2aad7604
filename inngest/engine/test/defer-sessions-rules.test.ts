/** The pure rules of defer.ts and sessions.ts, case by case (no engine, no database). */
import { describe, expect, it } from "vitest";
import {
  MAX_DEFERS_PER_RUN,
  MAX_DEFER_INPUT_BYTES,
  applyDeferOps,
  deferredScheduleEvents,
  sdkDefers,
  type Defers,
} from "../defer";
import { SessionsError, resolveEventMeta } from "../sessions";

const add = (id: string, opts: Record<string, unknown> = { fn_slug: "app-child", input: {} }) => ({
  id,
  op: "DeferAdd",
  opts,
});
const abort = (target: string) => ({
  id: `${target}-abort`,
  op: "DeferAbort",
  opts: { target_hashed_id: target },
});

describe("applyDeferOps", () => {
  it("records a DeferAdd once: a retransmit, even with another payload, changes nothing", () => {
    const first = applyDeferOps({}, [add("a", { fn_slug: "app-child", input: { n: 1 } })]);
    expect(first).toEqual({ a: { fn_slug: "app-child", status: "AfterRun", input: { n: 1 } } });
    expect(applyDeferOps(first, [add("a", { fn_slug: "app-other", input: { n: 2 } })])).toEqual({});
  });

  it("aborts a recorded defer for good, and ignores an abort of an unknown one", () => {
    const defers: Defers = applyDeferOps({}, [add("a")]);
    const aborted = applyDeferOps(defers, [abort("a"), abort("unknown")]);
    expect(aborted).toEqual({ a: { fn_slug: "app-child", status: "Aborted" } });
    expect(applyDeferOps({ ...defers, ...aborted }, [add("a")])).toEqual({});
  });

  it("rejects, without failing anything, a defer whose input is not an object or too large", () => {
    expect(applyDeferOps({}, [add("a", { fn_slug: "s", input: [1] })])).toEqual({
      a: { fn_slug: "s", status: "Rejected" },
    });
    const big = { blob: "x".repeat(MAX_DEFER_INPUT_BYTES) };
    expect(applyDeferOps({}, [add("b", { fn_slug: "s", input: big })])).toEqual({
      b: { fn_slug: "s", status: "Rejected" },
    });
    expect(applyDeferOps({}, [add("c", { input: {} })])).toEqual({});
  });

  it(`drops defers past ${MAX_DEFERS_PER_RUN} a run`, () => {
    const ops = Array.from({ length: MAX_DEFERS_PER_RUN + 2 }, (_, index) => add(`d${index}`));
    expect(Object.keys(applyDeferOps({}, ops))).toHaveLength(MAX_DEFERS_PER_RUN);
  });

  it("tells the SDK which recorded defers it may still abort", () => {
    expect(
      sdkDefers({
        a: { fn_slug: "s", status: "AfterRun", input: {} },
        b: { fn_slug: "s", status: "Aborted" },
        c: { fn_slug: "s", status: "Rejected" },
      }),
    ).toEqual({ a: { abortable: true }, b: { abortable: false }, c: { abortable: false } });
  });

  it("schedules only AfterRun defers, with the parent linkage the SDK strips", () => {
    const events = deferredScheduleEvents(
      { runId: "R", functionSlug: "app-parent", appName: "app" },
      {
        a: { fn_slug: "app-child", status: "AfterRun", input: { n: 1 }, meta: { sessions: {} } },
        b: { fn_slug: "app-child", status: "Aborted" },
      },
    );
    expect(events).toEqual([
      {
        name: "inngest/deferred.schedule",
        data: {
          n: 1,
          _inngest: expect.objectContaining({
            fn_slug: "app-child",
            parent_fn_slug: "app-parent",
            parent_run_id: "R",
          }),
        },
        meta: { sessions: {} },
      },
    ]);
  });
});

describe("resolveEventMeta", () => {
  it("leaves a meta without session layers alone", () => {
    expect(resolveEventMeta(undefined)).toBeUndefined();
    expect(resolveEventMeta({ other: 1 })).toEqual({ other: 1 });
  });

  it("merges the inherited layer under the manual one, cutting tombstoned keys", () => {
    expect(
      resolveEventMeta({
        sessions: { org: "mine", chat: null, n: 7 },
        propagated_sessions: { org: "acme", chat: "c1", user: "u1" },
      }),
    ).toEqual({ sessions: { org: "mine", n: "7", user: "u1" } });
  });

  it("a null sessions field clears every inherited key", () => {
    expect(resolveEventMeta({ sessions: null, propagated_sessions: { org: "acme" } })).toEqual({});
  });

  it("fills free slots up to 5 from inherited keys in UTF-8 byte order, never evicting manual keys", () => {
    expect(
      resolveEventMeta({
        sessions: { z: "1", y: "2" },
        propagated_sessions: { "\u{1F600}": "e", "\uFFFF": "f", b: "b", a: "a" },
      }),
    ).toEqual({ sessions: { z: "1", y: "2", a: "a", b: "b", "\uFFFF": "f" } });
  });

  it("refuses malformed layers and a manual layer over the limit", () => {
    expect(() => resolveEventMeta({ sessions: { a: true } })).toThrow(SessionsError);
    expect(() => resolveEventMeta({ propagated_sessions: { a: null } })).toThrow(SessionsError);
    expect(() =>
      resolveEventMeta({ sessions: { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" } }),
    ).toThrow(/at most 5/);
    expect(() => resolveEventMeta({ sessions: { a: "" } })).toThrow(/empty ID/);
  });
});
