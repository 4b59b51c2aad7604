import { describe, expect, it } from "vitest";
import { WEBHOOK_DELIVERY_VERDICTS, type WebhookDeliveryVerdict } from "@/lib/enums";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { acceptDelivery, findDeliverableWebhook, recordDelivery } from "./webhook-deliveries";
import { replayabilityOf } from "./webhook-replayability";
import { createWebhook, listWebhookDeliveries, updateWebhook } from "./webhooks";

const receivedAt = new Date("2026-12-07T08:00:00Z");
const before = new Date("2026-12-07T07:00:00Z");
const after = new Date("2026-12-07T09:00:00Z");
const unchanged = { configChangedAt: before, skillAvailable: true };
const delivery = (verdict: WebhookDeliveryVerdict, hasPayload: boolean, error?: string) => ({
  verdict,
  hasPayload,
  receivedAt,
  error: error ?? null,
});

describe("replayabilityOf, per verdict", () => {
  it("offers no replay where no payload was kept, and says why in the sender's terms", () => {
    const reasons = new Map<WebhookDeliveryVerdict, string>();
    for (const verdict of WEBHOOK_DELIVERY_VERDICTS) {
      const answer = replayabilityOf(delivery(verdict, false), unchanged);
      expect(answer.replayable).toBe(false);
      if (!answer.replayable) reasons.set(verdict, answer.reason);
    }
    expect(reasons.get("bad_signature")).toMatch(/signature did not verify/);
    expect(reasons.get("stale_timestamp")).toMatch(/timestamp was stale/);
    expect(reasons.get("rate_limited")).toMatch(/rate limit/);
    // Each verdict says its own reason.
    expect(new Set(reasons.values()).size).toBeGreaterThanOrEqual(7);
  });

  it("refuses an inputs_invalid payload while the mapping and the skill are as they were", () => {
    const invalid = delivery(
      "inputs_invalid",
      true,
      "title is required, and the payload has nothing at /incident/title",
    );
    expect(replayabilityOf(invalid, unchanged)).toEqual({
      replayable: false,
      reason:
        "Replay would fail the same way: title is required, and the payload has nothing at /incident/title. Fix the mapping (Edit) or have the sender fix the payload.",
    });
    // Once the webhook or its skill changed, the same payload may fit.
    expect(replayabilityOf(invalid, { ...unchanged, configChangedAt: after })).toEqual({
      replayable: true,
    });
  });

  it("refuses every payload while the skill is gone, and offers accepted and duplicate ones otherwise", () => {
    const gone = { ...unchanged, skillAvailable: false };
    expect(replayabilityOf(delivery("failed", true), gone)).toMatchObject({
      replayable: false,
      reason: expect.stringMatching(/^Replay would fail the same way: the webhook's skill/),
    });
    expect(replayabilityOf(delivery("accepted", true), gone)).toMatchObject({
      replayable: false,
    });
    for (const verdict of ["accepted", "duplicate", "failed"] as const)
      expect(replayabilityOf(delivery(verdict, true), unchanged)).toEqual({ replayable: true });
  });
});

const { db } = openTestDatabase();
const noEngine: RunDispatcher = {
  send: async () => {
    throw new Error("no run is started in this test");
  },
};

describe("the delivery log", () => {
  it("logs the specific reason and withholds Replay until the mapping changes", async () => {
    const { tenant, skill } = await createTenantWithSkill(db, {
      inputsSchema: {
        type: "object",
        required: ["title"],
        properties: { title: { type: "string", title: "Title" } },
      },
    });
    const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
    const scope = {
      tenantId: tenant.id,
      userId: admin.id,
      audit: { actor: { type: "user" as const, id: admin.id }, origin: null },
    };
    const webhook = {
      name: "Incidents",
      skillId: skill.id,
      agentId: null,
      inputMapping: { title: { pointer: "/incident/title" } },
      rateLimitPerMinute: 60,
      enabled: true,
    };
    const { id: webhookId } = await createWebhook(db, scope, webhook);
    const deliverable = await findDeliverableWebhook(db, webhookId);
    if (!deliverable) throw new Error("the webhook is not deliverable");
    await recordDelivery(db, deliverable, { verdict: "bad_signature", httpStatus: 401 });
    await acceptDelivery({ db, dispatcher: noEngine }, deliverable, {
      payload: { incident: { name: "Checkout down" } },
      deliveryId: null,
      bodyBytes: 40,
    });

    const log = async () =>
      (await listWebhookDeliveries(db, { tenantId: tenant.id, webhookId }, { limit: 10 }))
        .deliveries;
    const [invalid, forged] = await log();
    expect(invalid).toMatchObject({
      verdict: "inputs_invalid",
      error: "title is required, and the payload has nothing at /incident/title",
      hasPayload: true,
      replay: {
        replayable: false,
        reason: expect.stringContaining("the payload has nothing at /incident/title"),
      },
    });
    expect(forged).toMatchObject({
      verdict: "bad_signature",
      hasPayload: false,
      replay: { replayable: false, reason: expect.stringContaining("signature") },
    });

    await updateWebhook(
      db,
      { ...scope, webhookId },
      {
        ...webhook,
        inputMapping: { title: { pointer: "/incident/name" } },
      },
    );
    expect((await log())[0]?.replay).toEqual({ replayable: true });
  });
});
