/**
 * Conformance: checkpoints in signed mode. The SDK in cloud mode posts them with its hashed
 * signing key, like every `/v1/*` call; without that key a checkpoint is refused (401) and
 * changes nothing, so nobody who can reach the engine can write a run's step results.
 */
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { parseSigningKey } from "@/inngest/engine/signing";
import { checkpointing, gate, setupEngine, uniqueName, within } from "./harness";

const key = () => `signkey-prod-${randomBytes(32).toString("hex")}`;
const SIGNING_KEY = key();
const EVENT_KEY = randomBytes(16).toString("hex");
const t = setupEngine({ keys: { signingKey: SIGNING_KEY, eventKey: EVENT_KEY } });

const sql = postgres(process.env.DATABASE_URL ?? "", { max: 1, onnotice: () => {} });
afterAll(async () => {
  await sql.end({ timeout: 5 });
});

describe.runIf(checkpointing())("checkpoints in signed mode", () => {
  it("a checkpoint without the signing key gets 401 and saves nothing; the SDK's own, with the key, are saved", async () => {
    const client = t.client("signed-checkpoint");
    const eventName = uniqueName("signed-checkpoint/go");
    const hold = gate();
    const entered = gate();
    const calls = { a: 0, b: 0 };
    const fn = client.createFunction(
      { id: "signed-checkpoint", triggers: [{ event: eventName }] },
      async ({ step }) => {
        const a = await step.run("a", async () => {
          calls.a++;
          entered.release();
          await hold.promise;
          return "a";
        });
        const b = await step.run("b", () => {
          calls.b++;
          return "b";
        });
        return `${a}${b}`;
      },
    );
    const app = await t.serve(client, [fn]);
    const posts = app.requests.POST;
    const { ids } = await client.send({ name: eventName });
    const run = await t.runOf(ids[0]!);
    await within(entered.promise, 10_000, "step a starts");
    const [item] = await sql<{ id: string; lease_gen: number }[]>`
      select id, lease_gen from inngest_engine.queue where run_id = ${run.run_id} and leased_at is not null`;
    const body = JSON.stringify({
      run_id: run.run_id,
      qi_id: `${item!.id}.${item!.lease_gen}`,
      steps: [{ id: "forged", op: "StepRun", data: "forged" }],
    });
    for (const authorization of [
      undefined,
      `Bearer ${parseSigningKey(key()).hashed}`,
      `Bearer ${EVENT_KEY}`,
      `Bearer ${parseSigningKey(SIGNING_KEY).hashed}x`,
    ]) {
      const response = await fetch(new URL(`/v1/checkpoint/${run.run_id}/async`, t.url), {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(authorization ? { authorization } : {}),
        },
        body,
      });
      expect({ authorization, status: response.status }).toMatchObject({ status: 401 });
    }
    const [stored] = await sql<{ steps: Record<string, unknown> }[]>`
      select steps from inngest_engine.runs where id = ${run.run_id}`;
    expect(stored?.steps).toEqual({});

    hold.release();
    const finished = await t.waitForStatus(run.run_id, "Completed");
    expect(finished.output).toBe("ab");
    expect(calls).toEqual({ a: 1, b: 1 });
    expect(app.requests.POST - posts).toBe(1);
  });
});
