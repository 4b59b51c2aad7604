/**
 * deliver-run-result served to the embedded engine, failing for real outside our code.
 * A callback receiver that answers 500 is retried and the last attempt fails the delivery with
 * its reason; an attempt that crashes (a statement the real PostgreSQL refuses, as a dropped
 * connection would fail it) crashes every retry, and the function's `onFailure` fails the
 * delivery with a reason instead of leaving it pending.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Inngest } from "inngest";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setupEngine, waitFor } from "@/inngest/engine/test/harness";
import { runDeliveries } from "@/server/db/schema";
import { addRunCallback, queueDueDeliveries } from "@/server/services/deliveries/queue";
import { createFinishedRun, openTestDatabase } from "@/test/fixtures";
import { runDeliveryRequested } from "../events";
import { createDeliverRunResultFunction, RUN_DELIVERY_RETRIES } from "./deliver-run-result";

const { db } = openTestDatabase();
const t = setupEngine({ retryIntervalSeconds: 0 });
/** POSTs the receiver answered, each with 500. */
let answered500 = 0;
let receiver: Server;
let receiverBase = "";

beforeAll(async () => {
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      answered500 += 1;
      response.statusCode = 500;
      response.end("remote detail that must not be shown");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  receiverBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});
afterAll(() => {
  receiver.closeAllConnections();
  receiver.close();
});

/** A complete run's callback to `url`, queued as the sweep queues it; its delivery id and tenant. */
async function queuedCallback(url: string) {
  const { tenant, ref } = await createFinishedRun(db, "complete");
  await addRunCallback(db, { tenantId: tenant.id, runId: ref.runId, url });
  const queued = (await queueDueDeliveries(db, 1000)).find((row) => row.tenantId === tenant.id);
  if (!queued) throw new Error("nothing queued");
  return { deliveryId: queued.deliveryId, tenantId: tenant.id };
}

/** Serves the function under a fresh app id and sends it the delivery's event; its engine run. */
async function deliver(ref: { deliveryId: string; tenantId: string }) {
  const client = t.client("deliver-run-result");
  const deliverFunction = createDeliverRunResultFunction({
    client: client as Inngest.Any,
    db: () => db,
  });
  await t.serve(client, [deliverFunction]);
  const [eventId] = await t.send({ name: runDeliveryRequested.name, data: ref });
  return eventId ?? "";
}

const failedDelivery = (deliveryId: string) =>
  waitFor(
    async () => {
      const [row] = await db.select().from(runDeliveries).where(eq(runDeliveries.id, deliveryId));
      return row?.status === "failed" ? row : null;
    },
    { message: "the delivery is failed" },
  );

describe("deliver-run-result", () => {
  it("retries a receiver answering 500 and fails the delivery on the last attempt, with our words", async () => {
    const ref = await queuedCallback(`${receiverBase}/always-500`);
    const before = answered500;
    await t.finishedRunOf(await deliver(ref), "Completed", 30_000);

    const failed = await failedDelivery(ref.deliveryId);
    expect(answered500 - before).toBe(RUN_DELIVERY_RETRIES + 1);
    expect(failed.attempts).toBe(RUN_DELIVERY_RETRIES + 1);
    expect(failed.error).toContain("500");
    expect(failed.error).not.toContain("remote detail");
  });

  it("fails a delivery whose every attempt crashed, with a reason, instead of leaving it pending", async () => {
    const ref = await queuedCallback(`${receiverBase}/never-reached`);
    // The database refuses this delivery's claim, as a dropped connection would fail it: every
    // attempt crashes before sending. A sequence, outside the refused transactions, counts them.
    await db.execute(sql`create sequence refused_claims`);
    await db.execute(
      sql.raw(`create function refuse_claim() returns trigger language plpgsql as $$
        begin
          perform nextval('refused_claims');
          raise exception 'connection terminated';
        end $$`),
    );
    await db.execute(
      sql.raw(`create trigger refuse_claim before update on run_deliveries for each row
        when (new.id = '${ref.deliveryId}' and new.claimed_at is not null)
        execute function refuse_claim()`),
    );
    await t.finishedRunOf(await deliver(ref), "Failed", 30_000);

    const failed = await failedDelivery(ref.deliveryId);
    const [{ claims } = { claims: 0 }] = await db.execute<{ claims: number }>(
      sql`select last_value::int as claims from refused_claims`,
    );
    // Every attempt tried to claim, and crashed (the engine may re-run a crashed step's request).
    expect(claims).toBeGreaterThanOrEqual(RUN_DELIVERY_RETRIES + 1);
    expect(failed.error).toBe("The delivery stopped on an internal error; see the server log.");
    expect(failed.error).not.toContain("connection terminated");
    expect(failed.attempts).toBe(0);
  });
});
