import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import {
  auditLog,
  skillRuns,
  skills,
  webhookDeliveries,
  webhooks,
  type SkillInputsSchema,
} from "@/server/db/schema";
import { generateEncryptionKey } from "@/server/crypto/encryption-key";
import { encryptSecret, keyringOf } from "@/server/crypto/secrets";
import { replayDelivery } from "@/server/services/webhooks/webhook-deliveries";
import { signWebhookBody } from "@/server/services/webhooks/webhook-signature";
import {
  createWebhook,
  rotateWebhookSecret,
  setWebhookEnabled,
  updateWebhook,
} from "@/server/services/webhooks/webhooks";
import type { WebhookInput } from "@/lib/schemas/webhooks";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { MAX_BODY_BYTES } from "./http";
import { createWebhookReceiver } from "./webhook-receiver";

const { db } = openTestDatabase();
let engine: Engine;
let dispatcher: Inngest;
/** The receiver's clock: tests move it to check timestamps and rotation grace. */
let clock = new Date();
let receive: ReturnType<typeof createWebhookReceiver>;

beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  dispatcher = new Inngest({ id: "webhook-test", isDev: true, baseUrl: engine.url });
  receive = createWebhookReceiver({ db: () => db, dispatcher, now: () => clock });
});
afterAll(async () => {
  await engine.close();
});

const INPUTS_SCHEMA: SkillInputsSchema = {
  type: "object",
  required: ["title", "priority"],
  properties: {
    title: { type: "string", minLength: 3 },
    priority: { type: "integer", minimum: 1, maximum: 5 },
    labels: { type: "array", items: { type: "string" } },
  },
};

async function world(overrides: Partial<WebhookInput> = {}) {
  clock = new Date();
  const { tenant, skill, agent } = await createTenantWithSkill(db, { inputsSchema: INPUTS_SCHEMA });
  const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
  const scope = {
    tenantId: tenant.id,
    userId: admin.id,
    audit: { actor: { type: "user" as const, id: admin.id }, origin: null },
  };
  const { id, secret } = await createWebhook(db, scope, {
    name: "Issues",
    skillId: skill.id,
    agentId: null,
    inputMapping: {
      title: { pointer: "/issue/title" },
      priority: { pointer: "/issue/priority", default: 3 },
      labels: { pointer: "/issue/labels" },
    },
    rateLimitPerMinute: 60,
    enabled: true,
    ...overrides,
  });
  return { tenant, skill, agent, admin, scope, webhookId: id, secret };
}

type Send = {
  body?: string;
  secret?: string | null;
  timestamp?: number;
  deliveryId?: string | null;
  contentType?: string;
  signature?: string;
  headers?: Record<string, string>;
};
function deliver(webhookId: string, options: Send = {}) {
  // Each default body is a new event (a sender's own event id), so its signature is new too.
  const body =
    options.body ??
    JSON.stringify({
      issue: { title: "Checkout is down", priority: 1, labels: ["p1"] },
      event: randomUUID(),
    });
  const timestamp = options.timestamp ?? Math.floor(clock.getTime() / 1000);
  const signature =
    options.signature ??
    (options.secret ? signWebhookBody(options.secret, body, timestamp) : undefined);
  return receive(
    new Request(`http://localhost/api/webhooks/${webhookId}`, {
      method: "POST",
      body,
      headers: {
        "content-type": options.contentType ?? "application/json",
        ...(signature ? { "skillrun-signature": signature } : {}),
        ...(options.deliveryId === null
          ? {}
          : { "skillrun-delivery-id": options.deliveryId ?? randomUUID() }),
        ...options.headers,
      },
    }),
    webhookId,
  );
}

const runsOf = (tenantId: string) =>
  db
    .select()
    .from(skillRuns)
    .where(eq(skillRuns.tenantId, tenantId))
    .orderBy(asc(skillRuns.createdAt));
const deliveriesOf = (webhookId: string) =>
  db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(asc(webhookDeliveries.receivedAt));

describe("POST /api/webhooks/:id", () => {
  it("accepts a signed delivery: a webhook run with the mapped inputs, a log entry, an audit entry", async () => {
    const { tenant, agent, webhookId, secret } = await world();
    const response = await deliver(webhookId, { secret, deliveryId: "evt_1" });
    expect(response.status).toBe(202);
    const { runId } = (await response.json()) as { runId: string };
    const [run] = await runsOf(tenant.id);
    expect(run).toMatchObject({
      id: runId,
      source: "webhook",
      webhookId,
      agentId: agent.id,
      inputs: { title: "Checkout is down", priority: 1, labels: ["p1"] },
    });
    const [delivery] = await deliveriesOf(webhookId);
    expect(delivery).toMatchObject({
      verdict: "accepted",
      httpStatus: 202,
      runId,
      deliveryId: "evt_1",
      payload: { issue: { title: "Checkout is down" } },
    });
    const audit = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.action, "run.start")));
    expect(audit).toEqual([
      expect.objectContaining({
        actorType: "webhook",
        actorId: webhookId,
        targetType: "run",
        targetId: runId,
      }),
    ]);
  });

  it("fills a literal default when the pointer finds nothing (and takes a charset parameter)", async () => {
    const { tenant, webhookId, secret } = await world();
    const response = await deliver(webhookId, {
      secret,
      body: JSON.stringify({ issue: { title: "No priority given" } }),
      contentType: "application/json; charset=utf-8",
    });
    expect(response.status).toBe(202);
    expect((await runsOf(tenant.id))[0]?.inputs).toEqual({
      title: "No priority given",
      priority: 3,
    });
  });

  const nowSeconds = () => Math.floor(clock.getTime() / 1000);
  it.each([
    ["a wrong secret", () => ({ secret: "whsec_wrong" }), 401, "bad_signature"],
    ["no signature", () => ({}), 401, "bad_signature"],
    ["a malformed signature header", () => ({ signature: "v1=abc" }), 401, "bad_signature"],
    [
      "a timestamp 6 minutes old",
      (secret: string) => ({ secret, timestamp: nowSeconds() - 360 }),
      401,
      "stale_timestamp",
    ],
    [
      "a timestamp 6 minutes ahead",
      (secret: string) => ({ secret, timestamp: nowSeconds() + 360 }),
      401,
      "stale_timestamp",
    ],
    [
      "a non-JSON media type",
      (secret: string) => ({ secret, contentType: "text/plain" }),
      415,
      "unsupported_media_type",
    ],
    [
      "a JSON-like media type that is not JSON",
      (secret: string) => ({ secret, contentType: "application/json-patch+json" }),
      415,
      "unsupported_media_type",
    ],
    ["malformed JSON", (secret: string) => ({ secret, body: "{not json" }), 400, "malformed"],
    [
      "a body over the cap",
      (secret: string) => ({ secret, body: JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) }) }),
      413,
      "too_large",
    ],
    [
      "an over-long delivery id",
      (secret: string) => ({ secret, deliveryId: "d".repeat(201) }),
      400,
      "malformed",
    ],
    [
      "a NUL character, which PostgreSQL cannot store",
      (secret: string) => ({ secret, body: '{"issue":{"title":"a\\u0000b","priority":1}}' }),
      400,
      "malformed",
    ],
  ] as const)(
    "refuses %s: logged, no run",
    async (_case, send: (secret: string) => Send, status, verdict) => {
      const { tenant, webhookId, secret } = await world();
      const response = await deliver(webhookId, send(secret));
      expect(response.status).toBe(status);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBeTypeOf(
        "string",
      );
      expect(await runsOf(tenant.id)).toEqual([]);
      const [delivery] = await deliveriesOf(webhookId);
      expect(delivery).toMatchObject({ verdict, httpStatus: status, runId: null, payload: null });
    },
  );

  it("refuses a body whose streamed size passes the cap even when Content-Length says otherwise", async () => {
    const { tenant, webhookId, secret } = await world();
    const body = JSON.stringify({ pad: "y".repeat(MAX_BODY_BYTES) });
    const response = await deliver(webhookId, {
      secret,
      body,
      headers: { "content-length": "10" },
    });
    expect(response.status).toBe(413);
    expect(await runsOf(tenant.id)).toEqual([]);
  });

  it("answers an unknown, a disabled and another tenant's webhook the same 404, creating nothing", async () => {
    const { tenant, webhookId, secret, scope } = await world();
    const other = await world();
    await setWebhookEnabled(db, { ...scope, webhookId }, false);
    const answers = await Promise.all([
      deliver(randomUUID(), { secret }),
      deliver("not-a-uuid", { secret }),
      deliver(webhookId, { secret }),
    ]);
    const bodies = await Promise.all(
      answers.map(async (answer) => [answer.status, await answer.json()]),
    );
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(bodies[0]![0]).toBe(404);
    // Signed with this tenant's secret, sent to the other tenant's webhook: a bad signature there.
    expect((await deliver(other.webhookId, { secret })).status).toBe(401);
    expect(await runsOf(tenant.id)).toEqual([]);
    expect(await runsOf(other.tenant.id)).toEqual([]);
    expect(await deliveriesOf(webhookId)).toEqual([]);
  });

  it("answers a replayed delivery id with the original run, also when both copies arrive at once", async () => {
    const { tenant, webhookId, secret } = await world();
    const copies = await Promise.all(
      Array.from({ length: 5 }, () => deliver(webhookId, { secret, deliveryId: "evt_same" })),
    );
    const answers = (await Promise.all(copies.map((copy) => copy.json()))) as {
      runId: string;
      duplicate?: boolean;
    }[];
    expect(copies.map((copy) => copy.status)).toEqual([202, 202, 202, 202, 202]);
    const runs = await runsOf(tenant.id);
    expect(runs).toHaveLength(1);
    expect(new Set(answers.map((answer) => answer.runId))).toEqual(new Set([runs[0]!.id]));
    expect(answers.filter((answer) => answer.duplicate)).toHaveLength(4);
    const verdicts = (await deliveriesOf(webhookId)).map((delivery) => delivery.verdict).sort();
    expect(verdicts).toEqual(["accepted", "duplicate", "duplicate", "duplicate", "duplicate"]);
  });

  it("forgets a delivery id after 24 hours", async () => {
    const { tenant, webhookId, secret } = await world();
    expect((await deliver(webhookId, { secret, deliveryId: "evt_daily" })).status).toBe(202);
    await db
      .update(webhookDeliveries)
      .set({ receivedAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(webhookDeliveries.webhookId, webhookId));
    const again = await deliver(webhookId, { secret, deliveryId: "evt_daily" });
    expect(await again.json()).not.toHaveProperty("duplicate");
    expect(await runsOf(tenant.id)).toHaveLength(2);
  });

  it("does not let a forged delivery reserve a real delivery id", async () => {
    const { tenant, webhookId, secret } = await world();
    expect(
      (await deliver(webhookId, { secret: "whsec_forged", deliveryId: "evt_real" })).status,
    ).toBe(401);
    const real = await deliver(webhookId, { secret, deliveryId: "evt_real" });
    expect(real.status).toBe(202);
    expect(await real.json()).not.toHaveProperty("duplicate");
    expect(await runsOf(tenant.id)).toHaveLength(1);
  });

  it("maps inputs that do not fit to 422 with field errors naming the pointer, creating no run", async () => {
    const { tenant, webhookId, secret } = await world();
    const response = await deliver(webhookId, {
      secret,
      body: JSON.stringify({ issue: { priority: 9 } }),
    });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as {
      error: { code: string; fields: Record<string, string[]> };
    };
    expect(error.code).toBe("inputs_invalid");
    expect(error.fields.title?.[0]).toContain("/issue/title");
    expect(error.fields.priority).toBeDefined();
    expect(await runsOf(tenant.id)).toEqual([]);
    const [delivery] = await deliveriesOf(webhookId);
    // Kept, with its payload, so it can be replayed once the mapping or the sender is fixed.
    expect(delivery).toMatchObject({
      verdict: "inputs_invalid",
      httpStatus: 422,
      payload: { issue: { priority: 9 } },
    });
  });

  it("accepts the old secret during the rotation grace, and only the new one after it", async () => {
    const { tenant, webhookId, secret: oldSecret, scope } = await world();
    const rotatedAt = new Date();
    const { secret: newSecret } = await rotateWebhookSecret(
      db,
      { ...scope, webhookId },
      1,
      rotatedAt,
    );
    clock = new Date(rotatedAt.getTime() + 30 * 60_000);
    expect((await deliver(webhookId, { secret: oldSecret })).status).toBe(202);
    expect((await deliver(webhookId, { secret: newSecret })).status).toBe(202);
    // A sender mid-switch signs with both: several v1 values are allowed.
    const body = JSON.stringify({ issue: { title: "Both secrets", priority: 2 } });
    const t = Math.floor(clock.getTime() / 1000);
    const both = `${signWebhookBody(oldSecret, body, t)},v1=${signWebhookBody(newSecret, body, t).split("v1=")[1]}`;
    expect((await deliver(webhookId, { body, signature: both })).status).toBe(202);
    clock = new Date(rotatedAt.getTime() + 61 * 60_000);
    expect((await deliver(webhookId, { secret: oldSecret })).status).toBe(401);
    expect((await deliver(webhookId, { secret: newSecret })).status).toBe(202);
    expect(await runsOf(tenant.id)).toHaveLength(4);
  });

  it("answers a delivery signed with both secrets during a rotation, re-sent with only one of them, as a repeat", async () => {
    const { tenant, webhookId, secret: oldSecret, scope } = await world();
    const { secret: newSecret } = await rotateWebhookSecret(db, { ...scope, webhookId }, 1, clock);
    const body = JSON.stringify({ issue: { title: "Signed twice", priority: 2 } });
    const t = Math.floor(clock.getTime() / 1000);
    const v1 = (secret: string) => signWebhookBody(secret, body, t).split("v1=")[1]!;
    const original = await deliver(webhookId, {
      body,
      signature: `t=${t},v1=${v1(oldSecret)},v1=${v1(newSecret)}`,
      deliveryId: "evt_rotating",
    });
    expect(original.status).toBe(202);
    const { runId } = (await original.json()) as { runId: string };
    // A captured copy keeps either v1 value; both verify, and both are this one request again.
    for (const secret of [newSecret, oldSecret]) {
      const copy = await deliver(webhookId, {
        body,
        signature: `t=${t},v1=${v1(secret)}`,
        deliveryId: `evt_copy_${secret.slice(-6)}`,
      });
      expect(await copy.json()).toEqual({ runId, duplicate: true });
    }
    expect(await runsOf(tenant.id)).toHaveLength(1);
  });

  it("answers a captured request replayed for its five minutes without using the sender's rate limit, logging a sample of the repeats", async () => {
    const { tenant, webhookId, secret } = await world({ rateLimitPerMinute: 2 });
    const body = JSON.stringify({ issue: { title: "Captured", priority: 2 } });
    const signature = signWebhookBody(secret, body, Math.floor(clock.getTime() / 1000));
    const { runId } = (await (await deliver(webhookId, { body, signature })).json()) as {
      runId: string;
    };
    for (let i = 0; i < 65; i++)
      expect(await (await deliver(webhookId, { body, signature })).json()).toEqual({
        runId,
        duplicate: true,
      });
    // The sender's second delivery of the minute is still within its limit of 2; the third is not.
    expect((await deliver(webhookId, { secret })).status).toBe(202);
    expect((await deliver(webhookId, { secret })).status).toBe(429);
    expect(await runsOf(tenant.id)).toHaveLength(2);
    const verdicts = (await deliveriesOf(webhookId)).map((delivery) => delivery.verdict);
    expect(verdicts.filter((verdict) => verdict === "duplicate")).toHaveLength(60);
    expect(verdicts.filter((verdict) => verdict === "accepted")).toHaveLength(2);
  });

  it("logs a sample of the deliveries over the rate limit, answering every one 429", async () => {
    const { webhookId, secret } = await world({ rateLimitPerMinute: 1 });
    expect((await deliver(webhookId, { secret })).status).toBe(202);
    const statuses = [];
    for (let i = 0; i < 65; i++) statuses.push((await deliver(webhookId, { secret })).status);
    expect(new Set(statuses)).toEqual(new Set([429]));
    expect(
      (await deliveriesOf(webhookId)).filter((delivery) => delivery.verdict === "rate_limited"),
    ).toHaveLength(60);
  });

  it("shares a webhook's rate limit and log sample between app processes: two receivers on one database allow the limit once", async () => {
    const { tenant, webhookId, secret } = await world({ rateLimitPerMinute: 4 });
    const processes = [
      receive,
      createWebhookReceiver({ db: () => db, dispatcher, now: () => clock }),
    ];
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      const body = JSON.stringify({ issue: { title: `Delivery ${i}`, priority: 1 } });
      const signature = signWebhookBody(secret, body, Math.floor(clock.getTime() / 1000));
      const headers = { "content-type": "application/json", "skillrun-signature": signature };
      statuses.push(
        (
          await processes[i % 2]!(
            new Request(`http://localhost/api/webhooks/${webhookId}`, {
              method: "POST",
              body,
              headers,
            }),
            webhookId,
          )
        ).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429, 429, 429]);
    expect(await runsOf(tenant.id)).toHaveLength(4);

    const forged = await world();
    for (let i = 0; i < 80; i++) {
      const body = JSON.stringify({ forged: i });
      const headers = {
        "content-type": "application/json",
        "skillrun-signature": signWebhookBody("whsec_forged", body),
      };
      expect(
        (
          await processes[i % 2]!(
            new Request(`http://localhost/api/webhooks/${forged.webhookId}`, {
              method: "POST",
              body,
              headers,
            }),
            forged.webhookId,
          )
        ).status,
      ).toBe(401);
    }
    expect(await deliveriesOf(forged.webhookId)).toHaveLength(60);
  });

  it("rate-limits signed deliveries per webhook with 429 and Retry-After; forged ones do not count", async () => {
    const { tenant, webhookId, secret } = await world({ rateLimitPerMinute: 3 });
    const other = await world({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 5; i++)
      expect((await deliver(webhookId, { secret: "whsec_forged" })).status).toBe(401);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await deliver(webhookId, { secret })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
    const limited = await deliver(webhookId, { secret });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await runsOf(tenant.id)).toHaveLength(3);
    expect((await deliver(other.webhookId, { secret: other.secret })).status).toBe(202);
    expect(
      (await deliveriesOf(webhookId)).filter((delivery) => delivery.verdict === "rate_limited"),
    ).toHaveLength(2);
  });

  it("answers 409 when the skill was retired, creating no run", async () => {
    const { tenant, skill, webhookId, secret } = await world();
    await db.update(skills).set({ enabled: false }).where(eq(skills.id, skill.id));
    const response = await deliver(webhookId, { secret });
    expect(response.status).toBe(409);
    expect(await runsOf(tenant.id)).toEqual([]);
  });

  it("replays a logged delivery through the current mapping: a new run linked to the original", async () => {
    const { tenant, admin, webhookId, secret } = await world();
    await deliver(webhookId, { secret, deliveryId: "evt_replay" });
    const [original] = await deliveriesOf(webhookId);
    const { runId } = await replayDelivery(
      { db, dispatcher },
      { tenantId: tenant.id, userId: admin.id, deliveryId: original!.id },
    );
    const runs = await runsOf(tenant.id);
    expect(runs.map((run) => run.id)).toContain(runId);
    expect(runs.find((run) => run.id === runId)).toMatchObject({
      source: "webhook",
      webhookId,
      invokerUserId: admin.id,
    });
    const replayed = (await deliveriesOf(webhookId)).find(
      (delivery) => delivery.replayOfId === original!.id,
    );
    expect(replayed).toMatchObject({ verdict: "accepted", runId, replayedByUserId: admin.id });
    const other = await world();
    await expect(
      replayDelivery(
        { db, dispatcher },
        { tenantId: other.tenant.id, userId: other.admin.id, deliveryId: original!.id },
      ),
    ).rejects.toThrow(/was not found/);
  });

  it("answers a captured request re-sent under another delivery id, or none, with the original run", async () => {
    const { tenant, webhookId, secret } = await world();
    const body = JSON.stringify({ issue: { title: "Captured once", priority: 2 } });
    const signature = signWebhookBody(secret, body, Math.floor(clock.getTime() / 1000));
    const original = await deliver(webhookId, { body, signature, deliveryId: "evt_captured" });
    const { runId } = (await original.json()) as { runId: string };
    for (const deliveryId of ["evt_forged_new_id", null]) {
      const replayed = await deliver(webhookId, { body, signature, deliveryId });
      expect(replayed.status).toBe(202);
      expect(await replayed.json()).toEqual({ runId, duplicate: true });
    }
    expect(await runsOf(tenant.id)).toHaveLength(1);
  });

  it("makes one run from copies of a delivery id arriving together after its 24 h are up", async () => {
    const { tenant, webhookId, secret } = await world();
    expect((await deliver(webhookId, { secret, deliveryId: "evt_again" })).status).toBe(202);
    await db
      .update(webhookDeliveries)
      .set({ receivedAt: new Date(Date.now() - 25 * 3_600_000) })
      .where(eq(webhookDeliveries.webhookId, webhookId));
    // Different bodies, so only the delivery id ties the copies together.
    const copies = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        deliver(webhookId, {
          secret,
          deliveryId: "evt_again",
          body: JSON.stringify({ issue: { title: `Copy number ${i}`, priority: 1 } }),
        }),
      ),
    );
    const answers = (await Promise.all(copies.map((copy) => copy.json()))) as {
      runId: string | null;
      duplicate?: boolean;
    }[];
    expect(copies.map((copy) => copy.status)).toEqual([202, 202, 202, 202]);
    const runs = await runsOf(tenant.id);
    expect(runs).toHaveLength(2);
    expect(new Set(answers.map((answer) => answer.runId))).toEqual(new Set([runs[1]!.id]));
  });

  it("answers a repeat of an accepted delivery as one even after the mapping changed", async () => {
    const { tenant, webhookId, secret, scope, skill } = await world();
    const first = await deliver(webhookId, { secret, deliveryId: "evt_before_edit" });
    const { runId } = (await first.json()) as { runId: string };
    await updateWebhook(
      db,
      { ...scope, webhookId },
      {
        name: "Issues",
        skillId: skill.id,
        agentId: null,
        inputMapping: { title: { pointer: "/ticket/subject" }, priority: { default: 2 } },
        rateLimitPerMinute: 60,
        enabled: true,
      },
    );
    const repeat = await deliver(webhookId, { secret, deliveryId: "evt_before_edit" });
    expect(repeat.status).toBe(202);
    expect(await repeat.json()).toEqual({ runId, duplicate: true });
    expect(await runsOf(tenant.id)).toHaveLength(1);
  });

  it("logs a bounded sample of unverified requests, answering every one", async () => {
    const { webhookId } = await world();
    const statuses = [];
    for (let i = 0; i < 65; i++)
      statuses.push((await deliver(webhookId, { secret: "whsec_forged" })).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect(await deliveriesOf(webhookId)).toHaveLength(60);
  });

  it("answers 503 and logs a failed delivery when the signing secret cannot be read, creating no run", async () => {
    const { tenant, webhookId, secret } = await world();
    const lostKey = keyringOf(generateEncryptionKey());
    await db
      .update(webhooks)
      .set({ signingSecret: encryptSecret(secret, lostKey) })
      .where(eq(webhooks.id, webhookId));
    const response = await deliver(webhookId, { secret });
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: { code: "webhook_unavailable" } });
    expect(await runsOf(tenant.id)).toEqual([]);
    const [delivery] = await deliveriesOf(webhookId);
    expect(delivery).toMatchObject({ verdict: "failed", httpStatus: 503 });
    expect(delivery?.error).toContain(`key id ${lostKey.current.id}`);
  });
});
