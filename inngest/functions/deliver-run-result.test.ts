/**
 * deliver-run-result served to the embedded engine: when every attempt crashes (here the
 * attempt itself throws an unexpected error, as a dropped database connection would), the
 * function's `onFailure` fails the delivery with a reason instead of leaving it pending.
 */
import type { Inngest } from "inngest";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { setupEngine, waitFor } from "@/inngest/engine/test/harness";
import { runDeliveries } from "@/server/db/schema";
import type * as attemptModule from "@/server/services/deliveries/attempt";
import { attemptRunDelivery } from "@/server/services/deliveries/attempt";
import { addRunCallback, queueDueDeliveries } from "@/server/services/deliveries/queue";
import { createFinishedRun, openTestDatabase } from "@/test/fixtures";
import { runDeliveryRequested } from "../events";
import { createDeliverRunResultFunction, RUN_DELIVERY_RETRIES } from "./deliver-run-result";

vi.mock("@/server/services/deliveries/attempt", async (importOriginal) => ({
  ...(await importOriginal<typeof attemptModule>()),
  attemptRunDelivery: vi.fn(),
}));

const { db } = openTestDatabase();
const t = setupEngine({ retryIntervalSeconds: 0 });

describe("deliver-run-result", () => {
  it("fails a delivery whose every attempt crashed, with a reason, instead of leaving it pending", async () => {
    vi.mocked(attemptRunDelivery).mockRejectedValue(new Error("connection terminated"));
    const {
      tenant,
      ref: { runId },
    } = await createFinishedRun(db, "complete");
    await addRunCallback(db, { tenantId: tenant.id, runId, url: "https://hooks.example.com/x" });
    const [queued] = await queueDueDeliveries(db, 1000);
    if (!queued) throw new Error("nothing queued");

    const client = t.client("deliver-run-result");
    const deliver = createDeliverRunResultFunction({
      client: client as Inngest.Any,
      db: () => db,
    });
    await t.serve(client, [deliver]);
    const [eventId] = await t.send({
      name: runDeliveryRequested.name,
      data: { deliveryId: queued.deliveryId, tenantId: tenant.id },
    });
    await t.finishedRunOf(eventId ?? "", "Failed");
    expect(vi.mocked(attemptRunDelivery)).toHaveBeenCalledTimes(RUN_DELIVERY_RETRIES + 1);

    const failed = await waitFor(
      async () => {
        const [row] = await db
          .select()
          .from(runDeliveries)
          .where(eq(runDeliveries.id, queued.deliveryId));
        return row?.status === "failed" ? row : null;
      },
      { message: "the delivery is failed by onFailure" },
    );
    expect(failed.error).toBe("The delivery stopped on an internal error; see the server log.");
    expect(failed.error).not.toContain("connection terminated");
  });
});
