import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { webhookDeliveries, webhooks } from "@/server/db/schema";
import { recordDelivery } from "@/server/services/webhooks/webhook-deliveries";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";

const { db } = openTestDatabase();

describe("a delivery's payload", () => {
  it("reads back exactly the JSON value stored, a string that looks like JSON included", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const [webhook] = await db
      .insert(webhooks)
      .values({ tenantId: tenant.id, name: "Hook", skillId: skill.id, signingSecret: "s" })
      .returning({ id: webhooks.id });
    const target = { id: webhook!.id, tenantId: tenant.id };
    for (const payload of ["0", "true", '{"a":1}', 0, { a: "1" }, [1, "2"]]) {
      await db.delete(webhookDeliveries).where(eq(webhookDeliveries.webhookId, target.id));
      await recordDelivery(db, target, { verdict: "inputs_invalid", httpStatus: 422, payload });
      const [row] = await db
        .select({ payload: webhookDeliveries.payload })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, target.id));
      expect(row?.payload).toEqual(payload);
    }
  });
});
