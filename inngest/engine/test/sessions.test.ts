/**
 * Conformance: event sessions. The SDK stamps a run's `ctx.sessions` on what the run starts as
 * `meta.propagated_sessions`; ingest merges that layer into `meta.sessions` (manual keys win, a
 * manual `null` cuts an inherited key, a `null` field cuts them all, at most 5 in byte order),
 * so the child's `ctx.sessions` groups it with its parent — for step.sendEvent, a bare send
 * from a run, step.invoke and defer().
 */
import { createDefer } from "inngest/experimental";
import { describe, expect, it } from "vitest";
import { setupEngine, uniqueName, waitFor } from "./harness";

const t = setupEngine();

type Sessions = Record<string, string> | undefined;

describe("session propagation", () => {
  it("events a run sends carry its sessions, merged under their own", async () => {
    const client = t.client("sessions-send");
    const start = uniqueName("sessions/start");
    const child = uniqueName("sessions/child");
    const seen = new Map<string, Sessions>();
    const parent = client.createFunction(
      { id: "parent", triggers: [{ event: start }] },
      async ({ step }) => {
        await step.sendEvent("plain", { name: child, data: { label: "plain" } });
        await step.sendEvent("override", {
          name: child,
          data: { label: "override" },
          meta: { sessions: { org: "mine", chat: null } },
        });
        await step.sendEvent("cleared", {
          name: child,
          data: { label: "cleared" },
          meta: { sessions: null },
        });
        await step.run("bare-send", () =>
          client.send({ name: child, data: { label: "bare" } }).then(() => "sent"),
        );
      },
    );
    const receiver = client.createFunction(
      { id: "receiver", triggers: [{ event: child }] },
      async ({ event, sessions }) => {
        seen.set(String(event.data.label), sessions);
      },
    );
    await t.serve(client, [parent, receiver]);

    await client.send({
      name: start,
      data: {},
      meta: { sessions: { org: "acme", chat: "c1" } },
    });
    await waitFor(() => seen.size === 4, {
      message: () => `four child runs (saw ${[...seen.keys()].join(", ")})`,
    });

    expect(seen.get("plain")).toEqual({ org: "acme", chat: "c1" });
    expect(seen.get("override")).toEqual({ org: "mine" });
    expect(seen.get("cleared")).toBeUndefined();
    expect(seen.get("bare")).toEqual({ org: "acme", chat: "c1" });
  });

  it("an invoked run inherits the caller's sessions; inherited keys fill up to 5 in key order", async () => {
    const client = t.client("sessions-invoke");
    const start = uniqueName("sessions/invoke");
    const seen: Sessions[] = [];
    const callee = client.createFunction(
      { id: "callee", triggers: [{ event: uniqueName("sessions/never") }] },
      async ({ sessions }) => {
        seen.push(sessions);
        return "ok";
      },
    );
    const caller = client.createFunction(
      { id: "caller", triggers: [{ event: start }] },
      async ({ step }) => {
        await step.invoke("inherit", { function: callee, data: {} });
        await step.invoke("own-keys", {
          function: callee,
          data: {},
          meta: { sessions: { x: "1", y: "2" } },
        });
      },
    );
    await t.serve(client, [caller, callee]);

    const [eventId] = await client
      .send({
        name: start,
        data: {},
        meta: { sessions: { e: "5", a: "1", d: "4", c: "3", b: "2" } },
      })
      .then((result) => result.ids);
    await t.finishedRunOf(eventId!, "Completed");

    expect(seen).toEqual([
      { a: "1", b: "2", c: "3", d: "4", e: "5" },
      { x: "1", y: "2", a: "1", b: "2", c: "3" },
    ]);
  });

  it("a deferred run inherits the sessions of the run that deferred it", async () => {
    const client = t.client("sessions-defer");
    const start = uniqueName("sessions/defer");
    const seen: Sessions[] = [];
    const child = createDefer(client, { id: "child" }, async ({ sessions }) => {
      seen.push(sessions);
    });
    const parent = client.createFunction(
      { id: "parent", triggers: [{ event: start }] },
      async ({ defer }) => {
        defer("inherit", { function: child, data: {} });
        defer("override", {
          function: child,
          data: {},
          meta: { sessions: { team: "override" } },
        });
      },
    );
    await t.serve(client, [parent, child]);

    await client.send({ name: start, data: {}, meta: { sessions: { org: "acme", team: "t" } } });
    await waitFor(() => seen.length === 2, { message: "both deferred runs" });

    expect(seen).toEqual(
      expect.arrayContaining([
        { org: "acme", team: "t" },
        { org: "acme", team: "override" },
      ]),
    );
  });

  it("a send whose merged sessions exceed the limit is refused", async () => {
    const response = await t.sendRaw({
      name: uniqueName("sessions/too-many"),
      data: {},
      meta: { sessions: { a: "1", b: "2", c: "3", d: "4", e: "5", f: "6" } },
    });
    expect(response.httpStatus).toBe(400);
  });
});
