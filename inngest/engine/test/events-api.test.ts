/**
 * Conformance: the events API `POST /e/:key`, the inspection API and trigger routing
 * (spec §3, §9, §11.2, §11.6).
 */
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { delay, uniqueName, setupEngine } from "./harness";

const t = setupEngine();

type SendBody = { ids?: string[]; status?: number; error?: string };

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Splits a ULID into its 48-bit millisecond time and 10 entropy bytes. */
function decodeUlid(ulid: string): { ms: number; entropy: Buffer } {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/i.test(ulid)) throw new Error(`not a ULID: ${ulid}`);
  let value = 0n;
  for (const char of ulid.toUpperCase()) value = value * 32n + BigInt(CROCKFORD.indexOf(char));
  const entropy = Buffer.alloc(10);
  let rest = value & ((1n << 80n) - 1n);
  for (let i = 9; i >= 0; i--) {
    entropy[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return { ms: Number(value >> 80n), entropy };
}

/** The entropy the spec prescribes for the event at 1-based `position` (§3.3). */
function expectedEntropy(seedEntropy: Buffer, position: number): Buffer {
  const entropy = Buffer.from(seedEntropy);
  entropy.writeUInt32BE((seedEntropy.readUInt32BE(6) + position) >>> 0, 6);
  return entropy;
}

describe("POST /e/:key", () => {
  it("accepts a single object: 200 with `ids` (one internal id) and `status: 200`", async () => {
    const name = uniqueName("api/object");
    const response = await t.sendRaw({ name, data: { one: 1 } });
    expect(response.httpStatus).toBe(200);
    const body = response.body as SendBody;
    expect(body.status).toBe(200);
    expect(body.error).toBeUndefined();
    expect(body.ids).toHaveLength(1);
    expect(await t.getEvent(body.ids![0]!)).toMatchObject({ name, data: { one: 1 } });
  });

  it("accepts an array: one id per event, in order", async () => {
    const names = [uniqueName("api/array-0"), uniqueName("api/array-1"), uniqueName("api/array-2")];
    const response = await t.sendRaw(names.map((name, index) => ({ name, data: { index } })));
    expect(response.httpStatus).toBe(200);
    const body = response.body as SendBody;
    expect(body.status).toBe(200);
    expect(body.ids).toHaveLength(3);
    expect(new Set(body.ids).size).toBe(3);
    for (const [index, id] of body.ids!.entries()) {
      expect(await t.getEvent(id)).toMatchObject({ name: names[index], data: { index } });
    }
  });

  it("rejects `inngest/` names (any case) with HTTP 400 and `status: 400` in the body", async () => {
    for (const name of ["inngest/function.failed", "Inngest/Custom"]) {
      const response = await t.sendRaw([{ name, data: {} }]);
      expect(response.httpStatus, name).toBe(400);
      const body = response.body as SendBody;
      expect(body.status, name).toBe(400);
      expect(typeof body.error, name).toBe("string");
    }
  });

  it("normalizes events: fills id (= internal id), ts and user; drops data._inngest; keeps a given id and ts", async () => {
    const name = uniqueName("api/normalize");
    const before = Date.now();
    const [plainId] = await t.send({ name, data: { keep: true, _inngest: { fn_id: "sneaky" } } });
    const plain = await t.getEvent(plainId!);
    expect(plain).toBeDefined();
    expect(plain!.data).toEqual({ keep: true });
    expect(plain!.id).toBe(plainId);
    expect(plain!.user).toEqual({});
    expect(plain!.ts).toBeGreaterThanOrEqual(before - 1_000);

    const [givenId] = await t.send({ name, id: "my-own-id", ts: 1_700_000_000_000, data: {} });
    expect(givenId).not.toBe("my-own-id");
    expect(await t.getEvent(givenId!)).toMatchObject({
      name,
      id: "my-own-id",
      ts: 1_700_000_000_000,
    });
  });

  it("the SDK's client.send gets the engine's internal ids back", async () => {
    const client = t.client("api-send");
    const name = uniqueName("api/sdk");
    const { ids } = await client.send([
      { name, data: { n: 1 } },
      { name, data: { n: 2 } },
    ]);
    expect(ids).toHaveLength(2);
    expect(await t.getEvent(ids[0]!)).toMatchObject({ name, data: { n: 1 } });
    expect(await t.getEvent(ids[1]!)).toMatchObject({ name, data: { n: 2 } });
  });

  it("seeded ids: the same x-inngest-event-id-seed twice gives the same ids, built from the seed", async () => {
    const client = t.client("api-seed");
    const name = uniqueName("api/seeded");
    let runs = 0;
    const fn = client.createFunction(
      { id: "seeded", triggers: [{ event: name }] },
      async () => ++runs,
    );
    await t.serve(client, [fn]);

    const ms = Date.now();
    const seedEntropy = randomBytes(10);
    seedEntropy.writeUInt32BE(0xfffffffe, 6); // the second event's counter wraps to 0
    const seed = `${ms},${seedEntropy.toString("base64")}`;
    const events = [
      { name, data: { n: 1 } },
      { name, data: { n: 2 } },
    ];
    const first = await t.sendRaw(events, { "x-inngest-event-id-seed": seed });
    const again = await t.sendRaw(events, { "x-inngest-event-id-seed": seed });
    expect(first.httpStatus).toBe(200);
    expect(again.httpStatus).toBe(200);
    const ids = (first.body as SendBody).ids!;
    expect(ids).toHaveLength(2);
    expect((again.body as SendBody).ids).toEqual(ids);

    for (const [index, id] of ids.entries()) {
      const { ms: idMs, entropy } = decodeUlid(id);
      expect(idMs).toBe(ms);
      expect(entropy.toString("hex")).toBe(expectedEntropy(seedEntropy, index + 1).toString("hex"));
    }

    // A resend with the same seed is the same events: each started one run, not two.
    for (const id of ids) await t.finishedRunOf(id, "Completed");
    // Proving a negative: duplicate runs from the resend would have started by now.
    await delay(400);
    for (const id of ids) expect(await t.runsForEvent(id)).toHaveLength(1);
    expect(runs).toBe(2);

    const other = await t.sendRaw(events, {
      "x-inngest-event-id-seed": `${ms},${randomBytes(10).toString("base64")}`,
    });
    expect((other.body as SendBody).ids).not.toEqual(ids);
  });
});

describe("inspection API", () => {
  it("GET /health answers 200 with status 200", async () => {
    const response = await t.api<{ status?: number }>("/health");
    expect(response.httpStatus).toBe(200);
    expect(response.body.status).toBe(200);
  });

  it("/v1 responses are {data, metadata}; runs of an event and the run itself agree", async () => {
    const client = t.client("api-v1");
    const name = uniqueName("api/v1");
    const fn = client.createFunction(
      { id: "v1", triggers: [{ event: name }] },
      async ({ event }) => ({ echoed: event.data.value as string }),
    );
    await t.serve(client, [fn]);

    const [eventId] = await t.send({ name, data: { value: "x" } });
    const run = await t.finishedRunOf(eventId!, "Completed");

    const event = await t.api<{ data: unknown; metadata: unknown }>(`/v1/events/${eventId}`);
    expect(event.httpStatus).toBe(200);
    expect(event.body).toMatchObject({
      data: { name, data: { value: "x" } },
      metadata: expect.any(Object),
    });

    const runs = await t.api<{ data: unknown[]; metadata: unknown }>(`/v1/events/${eventId}/runs`);
    expect(runs.httpStatus).toBe(200);
    expect(runs.body.metadata).toEqual(expect.any(Object));
    expect(runs.body.data).toEqual([
      expect.objectContaining({ run_id: run.run_id, event_id: eventId, status: "Completed" }),
    ]);

    const single = await t.api<{ data: Record<string, unknown>; metadata: unknown }>(
      `/v1/runs/${run.run_id}`,
    );
    expect(single.httpStatus).toBe(200);
    expect(single.body.metadata).toEqual(expect.any(Object));
    expect(single.body.data).toMatchObject({
      run_id: run.run_id,
      event_id: eventId,
      status: "Completed",
      output: { echoed: "x" },
      function_slug: `${client.id}-v1`,
    });
    expect(single.body.data.ended_at).toEqual(expect.any(String));
  });

  it("an event that triggers nothing has no runs", async () => {
    const [eventId] = await t.send({ name: uniqueName("api/orphan") });
    expect(await t.runsForEvent(eventId!)).toEqual([]);
  });
});

describe("trigger routing", () => {
  it("wildcards, trigger `if` expressions, and one run per function even when several triggers match", async () => {
    const client = t.client("routing");
    const prefix = uniqueName("routing");
    const calls: string[] = [];
    const wildcard = client.createFunction(
      { id: "wildcard", triggers: [{ event: `${prefix}/*` }] },
      async ({ event }) => {
        calls.push(`wildcard:${event.name}`);
      },
    );
    const conditional = client.createFunction(
      {
        id: "conditional",
        triggers: [{ event: `${prefix}/order`, if: "event.data.amount > 100" }],
      },
      async ({ event }) => {
        calls.push(`conditional:${event.data.amount as number}`);
      },
    );
    const double = client.createFunction(
      { id: "double", triggers: [{ event: `${prefix}/order` }, { event: `${prefix}/*` }] },
      async ({ event }) => {
        calls.push(`double:${event.data.amount as number}`);
      },
    );
    await t.serve(client, [wildcard, conditional, double]);

    const [small] = await t.send({ name: `${prefix}/order`, data: { amount: 5 } });
    const [big] = await t.send({ name: `${prefix}/order`, data: { amount: 500 } });
    const [unrelated] = await t.send({
      name: `${uniqueName("elsewhere")}/order`,
      data: { amount: 500 },
    });

    const slugs = async (eventId: string, count: number) =>
      (await t.waitForRuns(eventId, count))
        .map((run) => run.function_slug?.slice(client.id.length + 1))
        .sort();
    expect(await slugs(small!, 2)).toEqual(["double", "wildcard"]);
    expect(await slugs(big!, 3)).toEqual(["conditional", "double", "wildcard"]);
    // Proving a negative: extra runs (a second "double", a "conditional" for 5) would exist by now.
    await delay(400);
    expect(await slugs(small!, 2)).toEqual(["double", "wildcard"]);
    expect(await slugs(big!, 3)).toEqual(["conditional", "double", "wildcard"]);
    expect(await t.runsForEvent(unrelated!)).toEqual([]);
  });
});
