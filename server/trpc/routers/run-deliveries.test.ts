import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { RunDeliveryStatus } from "@/lib/enums";
import { auditLog, runDeliveries, skillRuns } from "@/server/db/schema";
import { addRunCallback, queueDueDeliveries } from "@/server/services/deliveries/queue";
import {
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

async function finishedRunWithCallback(status: RunDeliveryStatus) {
  const setup = await createTenantWithSkill(db);
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: setup.tenant.id,
      skillId: setup.skill.id,
      skillVersion: "v1",
      agentId: setup.agent.id,
      source: "api",
      inputs: {},
      status: "complete",
      finishedAt: new Date(),
      deliverable: { type: "inline", format: "markdown", payload: "# Done" },
    })
    .returning({ id: skillRuns.id });
  const runId = run?.id ?? "";
  await addRunCallback(db, {
    tenantId: setup.tenant.id,
    runId,
    url: "https://hooks.example.com/done?token=tok-do-not-show",
  });
  await db
    .update(runDeliveries)
    .set({ status, attempts: status === "waiting" ? 0 : 5, error: "answered HTTP 503." })
    .where(eq(runDeliveries.runId, runId));
  const [delivery] = await db
    .select({ id: runDeliveries.id })
    .from(runDeliveries)
    .where(eq(runDeliveries.runId, runId));
  return { ...setup, runId, deliveryId: delivery?.id ?? "" };
}

const statusOf = async (deliveryId: string) =>
  (await db.select().from(runDeliveries).where(eq(runDeliveries.id, deliveryId)))[0]?.status;

describe("run deliveries", () => {
  it("every member reads the log, which shows the host and never the URL or a secret", async () => {
    const { tenant, runId, deliveryId } = await finishedRunWithCallback("failed");
    const { caller: viewer } = await signedInMember(db, auth, tenant.id, "viewer");
    const log = await viewer.runDeliveries.list({ runId });
    expect(log).toEqual([
      expect.objectContaining({
        id: deliveryId,
        targetKind: "callback",
        target: "hooks.example.com",
        status: "failed",
        attempts: 5,
        error: "answered HTTP 503.",
      }),
    ]);
    expect(JSON.stringify(log)).not.toContain("tok-do-not-show");
    expect(Object.keys(log[0] ?? {})).not.toContain("secret");
  });

  it("a viewer may not retry; an operator re-queues a failed delivery once, and the sweep queues it", async () => {
    const { tenant, deliveryId } = await finishedRunWithCallback("failed");
    const { caller: viewer } = await signedInMember(db, auth, tenant.id, "viewer");
    const { caller: operator } = await signedInMember(db, auth, tenant.id, "operator");
    const before = await fingerprintTables(db);
    expect((await trpcFailure(viewer.runDeliveries.retry({ deliveryId }))).code).toBe("FORBIDDEN");
    expect(await fingerprintTables(db)).toEqual(before);

    expect(await operator.runDeliveries.retry({ deliveryId })).toEqual({ status: "waiting" });
    // A second click (or a second tab) changes nothing.
    expect(await operator.runDeliveries.retry({ deliveryId })).toEqual({ status: "waiting" });
    expect(await statusOf(deliveryId)).toBe("waiting");
    const queued = await queueDueDeliveries(db, 1000);
    expect(queued.filter((row) => row.deliveryId === deliveryId)).toHaveLength(1);
    expect(await operator.runDeliveries.retry({ deliveryId })).toEqual({ status: "pending" });
    expect(await statusOf(deliveryId)).toBe("pending");
  });

  it("a retry starts a fresh round of attempts and is audit-logged once, naming the run", async () => {
    const { tenant, runId, deliveryId } = await finishedRunWithCallback("failed");
    const { caller: operator, user } = await signedInMember(db, auth, tenant.id, "operator");
    await operator.runDeliveries.retry({ deliveryId });
    await operator.runDeliveries.retry({ deliveryId });
    const [row] = await db.select().from(runDeliveries).where(eq(runDeliveries.id, deliveryId));
    expect(row).toMatchObject({ status: "waiting", attempts: 0, queuedAt: null, claimedAt: null });
    const entries = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "run_delivery.retry")));
    expect(entries).toEqual([
      expect.objectContaining({
        actorType: "user",
        actorId: user.id,
        targetType: "run",
        targetId: runId,
        metadata: { deliveryId, targetKind: "callback", target: "hooks.example.com" },
      }),
    ]);
  });

  it("a sent delivery is not retried, and says so", async () => {
    const { tenant, deliveryId } = await finishedRunWithCallback("sent");
    const { caller: admin } = await signedInMember(db, auth, tenant.id, "admin");
    const failure = await trpcFailure(admin.runDeliveries.retry({ deliveryId }));
    expect(failure.code).toBe("PRECONDITION_FAILED");
    expect(failure.message).toContain("already sent");
    expect(await statusOf(deliveryId)).toBe("sent");
  });
});
