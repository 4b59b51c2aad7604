import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Inngest } from "inngest";
import { startEngine, type Engine } from "@/inngest/engine";
import { auditLog, webhookDeliveries, webhooks } from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
let engine: Engine;
let dispatcher: Inngest;
beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "webhooks-router-test", isDev: true, baseUrl: engine.url });
});
afterAll(async () => {
  await engine.close();
});

const world = () =>
  createTenantWithSkill(db, {
    inputsSchema: {
      type: "object",
      required: ["topic"],
      properties: {
        topic: { type: "string", title: "Topic" },
        depth: { type: "integer", title: "Depth", default: 1 },
      },
    },
  });
async function member(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  return { user, caller: await callerFor(db, auth, await signIn(auth, user.email), dispatcher) };
}
async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return {
    code: error.code,
    fieldErrors: (error.cause as { fieldErrors?: Record<string, string[]> } | undefined)
      ?.fieldErrors,
  };
}
const valid = (skillId: string) => ({
  name: "Tickets",
  skillId,
  agentId: null,
  inputMapping: { topic: { pointer: "/ticket/subject" } },
  rateLimitPerMinute: 60,
  enabled: true,
});

describe("webhooks router", () => {
  it("shows the secret once: create and rotate answer it, nothing else ever does", async () => {
    const { tenant, skill } = await world();
    const { caller } = await member(tenant.id, "admin");
    const { id, secret } = await caller.webhooks.create(valid(skill.id));
    expect(secret).toMatch(/^whsec_/);
    const rotated = await caller.webhooks.rotateSecret({ webhookId: id, graceHours: 24 });
    expect(rotated.secret).not.toBe(secret);
    const reads = JSON.stringify([
      await caller.webhooks.list(),
      await caller.webhooks.get({ webhookId: id }),
      await caller.webhooks.deliveries({ webhookId: id }),
    ]);
    expect(reads).not.toContain(secret);
    expect(reads).not.toContain(rotated.secret);
    expect(reads).not.toContain("whsec_");
    const audit = await db
      .select({ metadata: auditLog.metadata })
      .from(auditLog)
      .where(eq(auditLog.tenantId, tenant.id));
    expect(JSON.stringify(audit)).not.toContain("whsec_");
  });

  it("names each mapping problem and writes nothing", async () => {
    const { tenant, skill } = await world();
    const { caller } = await member(tenant.id, "admin");
    const invalid = await failure(
      caller.webhooks.create({
        ...valid(skill.id),
        inputMapping: { topic: { pointer: "ticket/subject" }, color: { pointer: "/color" } },
      }),
    );
    expect(invalid.code).toBe("BAD_REQUEST");
    expect(invalid.fieldErrors).toEqual({
      "inputMapping.topic": [expect.stringContaining("JSON Pointer")],
      "inputMapping.color": ["is not an input of this skill"],
    });
    const unmapped = await failure(
      caller.webhooks.create({ ...valid(skill.id), inputMapping: {} }),
    );
    expect(unmapped.fieldErrors).toEqual({
      "inputMapping.topic": [expect.stringContaining("is required")],
    });
    // A skill default makes mapping optional; a literal default stands in for a pointer.
    await caller.webhooks.create({
      ...valid(skill.id),
      inputMapping: { topic: { default: "Weekly" } },
    });
    const tooFast = await failure(
      caller.webhooks.create({ ...valid(skill.id), rateLimitPerMinute: 0 }),
    );
    expect(tooFast.code).toBe("BAD_REQUEST");
    expect(await db.select().from(webhooks).where(eq(webhooks.tenantId, tenant.id))).toHaveLength(
      1,
    );
  });

  it("audits create, update, enable/disable, rotation and delete in the actor's name", async () => {
    const { tenant, skill } = await world();
    const { caller, user } = await member(tenant.id, "admin");
    const { id } = await caller.webhooks.create(valid(skill.id));
    await caller.webhooks.update({
      webhookId: id,
      webhook: { ...valid(skill.id), name: "Renamed" },
    });
    await caller.webhooks.setEnabled({ webhookId: id, enabled: false });
    // Already disabled: nothing changes, nothing is logged.
    await caller.webhooks.setEnabled({ webhookId: id, enabled: false });
    await caller.webhooks.rotateSecret({ webhookId: id, graceHours: 0 });
    await caller.webhooks.delete({ webhookId: id });
    const entries = await db
      .select({ action: auditLog.action, actorId: auditLog.actorId, targetId: auditLog.targetId })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.targetType, "webhook")))
      .orderBy(auditLog.id);
    expect(entries).toEqual(
      [
        "webhook.create",
        "webhook.update",
        "webhook.update",
        "webhook.rotate_secret",
        "webhook.delete",
      ].map((action) => ({ action, actorId: user.id, targetId: id })),
    );
    expect(await failure(caller.webhooks.get({ webhookId: id }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("lets an operator replay but not manage; a viewer reads", async () => {
    const { tenant, skill } = await world();
    const { caller: admin } = await member(tenant.id, "admin");
    const { id } = await admin.webhooks.create(valid(skill.id));
    const { caller: operator } = await member(tenant.id, "operator");
    const { caller: viewer } = await member(tenant.id, "viewer");
    expect(
      await failure(operator.webhooks.rotateSecret({ webhookId: id, graceHours: 1 })),
    ).toMatchObject({ code: "FORBIDDEN" });
    expect(await failure(viewer.webhooks.replay({ deliveryId: id }))).toMatchObject({
      code: "FORBIDDEN",
    });
    expect((await viewer.webhooks.get({ webhookId: id })).name).toBe("Tickets");
    // Not a delivery id of this tenant: the same answer as any unknown delivery.
    expect(await failure(operator.webhooks.replay({ deliveryId: id }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("pages the delivery log without skipping deliveries received in the same millisecond", async () => {
    const { tenant, skill } = await world();
    const { caller } = await member(tenant.id, "viewer");
    const { caller: admin } = await member(tenant.id, "admin");
    const { id: webhookId } = await admin.webhooks.create(valid(skill.id));
    await db.execute(sql`
      insert into ${webhookDeliveries} (tenant_id, webhook_id, verdict, http_status, received_at)
      select ${tenant.id}, ${webhookId}, 'bad_signature', 401, '2026-03-01 09:00:00.000000+00'::timestamptz + make_interval(secs => n * 0.0001)
      from generate_series(1, 7) as n`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { deliveries: { id: string }[]; nextCursor: string | null } =
        await caller.webhooks.deliveries({ webhookId, limit: 2, cursor });
      seen.push(...page.deliveries.map((delivery) => delivery.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    // The list shows the newest of them.
    const [listed] = await caller.webhooks.list();
    expect(listed).toMatchObject({
      id: webhookId,
      lastVerdict: "bad_signature",
      lastDeliveryAt: new Date("2026-03-01T09:00:00.000Z"),
    });
  });
});
