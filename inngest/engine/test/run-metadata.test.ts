/**
 * Conformance: `POST /v1/runs/:id/metadata` as the Go server serves it (run-metadata.ts): what
 * the SDK's `client.score()` / `step.score()` / `metadata.update()` send when the update does not
 * ride on a step's answer. Validated as Go validates it, stored per run, combined in order.
 */
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import {
  hashedStepId,
  MAX_RUN_METADATA_BYTES,
  metadataValuesSize,
  readRunMetadata as readCombined,
  RunMetadataError,
  saveRunMetadata,
} from "../run-metadata";
import { setupEngine, uniqueName } from "./harness";

const t = setupEngine();

/** A run's combined metadata without the timestamps. */
async function readRunMetadata(db: typeof sql, runId: string) {
  const combined = await readCombined(db, runId);
  for (const entry of combined) expect(entry.updatedAt).toBeInstanceOf(Date);
  return combined.map(({ updatedAt: _updatedAt, ...entry }) => entry);
}
const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

type Reply = { status?: number; error?: string };

async function storedBytes(runId: string): Promise<number> {
  const [row] = await sql<{ total: number }[]>`
    select coalesce(sum(size), 0)::int as total from inngest_engine.run_metadata where run_id = ${runId}`;
  return row?.total ?? 0;
}

const post = (runId: string, body: unknown) =>
  t.api<Reply>(`/v1/runs/${runId}/metadata`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const update = (kind: string, op: string, values: Record<string, unknown>) => ({
  kind,
  op,
  values,
});

/** A finished run with one step, `my-step`. */
async function finishedRun() {
  const client = t.client("run-metadata");
  const eventName = uniqueName("run-metadata/go");
  const fn = client.createFunction(
    { id: "scored", retries: 0, triggers: [{ event: eventName }] },
    async ({ step }) => step.run("my-step", () => "done"),
  );
  await t.serve(client, [fn]);
  const [eventId] = await t.send({ name: eventName });
  return { client, run: await t.finishedRunOf(eventId!, "Completed") };
}

describe("POST /v1/runs/:id/metadata", () => {
  it("stores the SDK's client.score() for a run and a step of an ended run, as Go accepts it", async () => {
    const { client, run } = await finishedRun();

    await client.score({ runId: run.run_id, name: "run_score", value: true });
    await client.score({ runId: run.run_id, stepId: "my-step", name: "step_score", value: 0.5 });

    expect(await readRunMetadata(sql, run.run_id)).toEqual([
      {
        scope: "run",
        target: null,
        kind: "inngest.score",
        values: { run_score: { value: true } },
      },
      {
        scope: "step",
        target: hashedStepId("my-step"),
        kind: "inngest.score",
        values: { step_score: { value: 0.5 } },
      },
    ]);
  });

  it("stores the metadata a step's answer carries: a score inside step.run on the step, one naming the run on the run", async () => {
    const client = t.client("op-metadata");
    const eventName = uniqueName("op-metadata/go");
    const fn = client.createFunction(
      { id: "scored-inside", retries: 0, triggers: [{ event: eventName }] },
      async ({ step, runId }) => {
        await step.run("my-step", async () => {
          await client.score({ name: "in_step", value: 0.25 });
          await client.score({ runId, name: "run_level", value: true });
        });
        return "done";
      },
    );
    await t.serve(client, [fn]);
    const [eventId] = await t.send({ name: eventName });
    const run = await t.finishedRunOf(eventId!, "Completed");

    expect(await readRunMetadata(sql, run.run_id)).toEqual(
      expect.arrayContaining([
        {
          scope: "step",
          target: hashedStepId("my-step"),
          kind: "inngest.score",
          values: { in_step: { value: 0.25 } },
        },
        {
          scope: "run",
          target: null,
          kind: "inngest.score",
          values: { run_level: { value: true } },
        },
      ]),
    );
    expect(t.logs.filter((line) => line.msg === "metadata.dropped")).toEqual([]);
  });

  it("combines a target's updates of one kind in order: merge, add, delete, set", async () => {
    const { run } = await finishedRun();
    const target = { run_id: run.run_id };
    for (const body of [
      update("userland.cost", "merge", { tokens: 10, model: "a" }),
      update("userland.cost", "add", { tokens: 5, calls: 1 }),
      update("userland.cost", "delete", { model: null }),
    ])
      expect((await post(run.run_id, { target, metadata: [body] })).httpStatus).toBe(200);
    expect(
      (
        await post(run.run_id, {
          target,
          metadata: [
            update("userland.other", "merge", { a: 1 }),
            update("userland.other", "set", { b: 2 }),
          ],
        })
      ).httpStatus,
    ).toBe(200);

    expect(await readRunMetadata(sql, run.run_id)).toEqual([
      { scope: "run", target: null, kind: "userland.cost", values: { tokens: 15, calls: 1 } },
      { scope: "run", target: null, kind: "userland.other", values: { b: 2 } },
    ]);
  });

  it("an unknown run is 404; a run id that is no ULID, a bad body or a reserved kind is 400; nothing is stored", async () => {
    const { run } = await finishedRun();
    const ok = [update("userland.x", "merge", { a: 1 })];

    expect(
      (await post("01ARZ3NDEKTSV4RRFFQ69G5FAV", { target: {}, metadata: ok })).httpStatus,
    ).toBe(404);
    expect((await post("not-a-ulid", { target: {}, metadata: ok })).httpStatus).toBe(400);

    const refused: unknown[] = [
      "{not json",
      { metadata: ok },
      { target: {}, metadata: [update("userland.x", "replace", { a: 1 })] },
      { target: { step_index: 1 }, metadata: ok },
      { target: { span_id: "abc" }, metadata: ok },
      { target: {}, metadata: [update("inngest.internal", "merge", { a: 1 })] },
      { target: {}, metadata: [update("x".repeat(129), "merge", { a: 1 })] },
      { target: {}, metadata: [update("inngest.score", "merge", { s: { value: "high" } })] },
      { target: {}, metadata: [update("inngest.score", "merge", { "it's": { value: 1 } })] },
      { target: {}, metadata: [update("inngest.score", "merge", { s: { value: 1, x: 2 } })] },
    ];
    for (const body of refused) {
      const answer = await post(run.run_id, body);
      expect(answer.httpStatus, JSON.stringify(body)).toBe(400);
      expect(answer.body.error, JSON.stringify(body)).toMatch(/metadata|run ID|JSON/i);
    }
    expect(await readRunMetadata(sql, run.run_id)).toEqual([]);
  });

  it("refuses an update over 64 KiB and a run's updates past 1 MiB together with 413", async () => {
    const { run } = await finishedRun();
    const target = { run_id: run.run_id };
    const tooBig = await post(run.run_id, {
      target,
      metadata: [update("userland.big", "merge", { blob: "x".repeat(64 * 1024) })],
    });
    expect(tooBig.httpStatus).toBe(413);

    const chunk = (index: number) =>
      update("userland.fill", "merge", { [`k${index}`]: "x".repeat(63 * 1024) });
    const accepted = await post(run.run_id, {
      target,
      metadata: Array.from({ length: 16 }, (_, index) => chunk(index)),
    });
    expect(accepted.httpStatus).toBe(200);
    const pastTheCap = await post(run.run_id, { target, metadata: [chunk(99)] });
    expect(pastTheCap.httpStatus).toBe(413);
    expect(pastTheCap.body.error).toMatch(/Cumulative metadata size/);

    const [stored] = await readRunMetadata(sql, run.run_id);
    expect(Object.keys(stored?.values ?? {})).toHaveLength(16);
  });

  it("concurrent posts racing for a run's last bytes never take it past 1 MiB", async () => {
    const { run } = await finishedRun();
    const post = (db: typeof sql, key: string, bytes: number) => {
      const values = { [key]: "x".repeat(bytes) };
      const size = metadataValuesSize(values);
      return saveRunMetadata(db, run.run_id, {
        scope: "run",
        target: null,
        updates: [{ kind: "userland.race", op: "merge", values }],
        size,
      }).then(
        () => size,
        (error: unknown) => {
          if (error instanceof RunMetadataError && error.status === 413) return 0;
          throw error;
        },
      );
    };
    const chunk = 60 * 1024;
    const racingSize = metadataValuesSize({ "r0-00": "x".repeat(chunk) });
    // Filled to two and a half racing posts below the cap: two of them fit, no third.
    const target = MAX_RUN_METADATA_BYTES - Math.floor(2.5 * racingSize);
    let filled = 0;
    for (let index = 0; target - filled > 2 * chunk; index++)
      filled += await post(sql, `fill${index}`, chunk);
    const topUp = target - filled - metadataValuesSize({ last: "" });
    expect(await post(sql, "last", topUp)).toBe(target - filled);
    const pool = postgres(process.env.DATABASE_URL ?? "", { max: 12, onnotice: () => {} });
    try {
      for (let round = 0; round < 3; round++) {
        const before = await storedBytes(run.run_id);
        const racing = await Promise.all(
          Array.from({ length: 12 }, (_, index) =>
            post(pool, `r${round}-${String(index).padStart(2, "0")}`, chunk),
          ),
        );
        const accepted = racing.filter((size) => size > 0).length;
        expect(await storedBytes(run.run_id)).toBeLessThanOrEqual(MAX_RUN_METADATA_BYTES);
        expect(accepted).toBe(round === 0 ? 2 : 0);
        expect(await storedBytes(run.run_id)).toBe(before + racing.reduce((a, b) => a + b, 0));
      }
    } finally {
      await pool.end({ timeout: 5 });
    }
  });

  it("a body larger than a run may ever hold is refused before it is read in full", async () => {
    const { run } = await finishedRun();
    const answer = await post(run.run_id, {
      target: {},
      metadata: [update("userland.huge", "merge", { blob: "x".repeat(2 * 1024 * 1024) })],
    });
    expect(answer.httpStatus).toBe(413);
  });
});
