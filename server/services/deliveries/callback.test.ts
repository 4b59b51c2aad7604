import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import { ZERO_USAGE } from "@/server/agent/usage";
import { runDeliveries, skillRuns } from "@/server/db/schema";
import { createApiKey } from "@/server/services/access/api-keys";
import { completeRun, markRunning } from "@/server/services/runs/run-lifecycle";
import { verifyWebhookSignature } from "@/server/services/webhooks/webhook-signature";
import { createRunsApi } from "@/server/rest/runs-api";
import {
  createFinishedRun,
  createTenantWithSkill,
  createUser,
  openTestDatabase,
} from "@/test/fixtures";
import { claimDelivery, STALE_CLAIM_MS } from "@/server/services/notify/attempt-record";
import { attemptRunDelivery } from "./attempt";
import { addRunCallback, LOST_QUEUING_MS, queueDueDeliveries, type QueuedDelivery } from "./queue";

const { db } = openTestDatabase();
type Hit = { headers: IncomingMessage["headers"]; body: string };
const hits: Hit[] = [];
let answerStatus = 200;
/** How long the receiver takes to answer: long enough for two attempts to overlap. */
let answerDelayMs = 0;
let http: Server;
let httpBase = "";
let engine: Engine;
let api: ReturnType<typeof createRunsApi>;

beforeAll(async () => {
  http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      hits.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      setTimeout(() => {
        response.statusCode = answerStatus;
        response.end("remote detail that must not be shown");
      }, answerDelayMs);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  api = createRunsApi({
    db: () => db,
    dispatcher: new Inngest({ id: "callback-test", isDev: true, baseUrl: engine.url }),
  });
});
afterAll(async () => {
  await engine.close();
  await new Promise<void>((resolve) => http.close(() => resolve()));
});
beforeEach(() => {
  hits.length = 0;
  answerStatus = 200;
  answerDelayMs = 0;
});

async function operatorKey(tenantId: string) {
  const user = await createUser(db, [{ tenantId, role: "owner" }]);
  const created = await createApiKey(
    db,
    {
      tenantId,
      userId: user.id,
      userRole: "owner",
      audit: { actor: { type: "user", id: user.id }, origin: null },
    },
    { name: "operator key", role: "operator" },
  );
  return created.key;
}

const start = (key: string, body: Record<string, unknown>, idempotencyKey?: string) =>
  api.start(
    new Request("http://localhost/api/v1/runs", {
      method: "POST",
      body: JSON.stringify(body),
      headers: {
        authorization: `Bearer ${key}`,
        "content-type": "application/json",
        ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
      },
    }),
  );

const deliveriesOf = (runId: string) =>
  db.select().from(runDeliveries).where(eq(runDeliveries.runId, runId));

/** Queues what is due and returns this run's queued delivery ids (other tests' rows may be due too). */
async function queuedFor(runId: string) {
  const queued = await queueDueDeliveries(db, 1000);
  const mine = new Set((await deliveriesOf(runId)).map((row) => row.id));
  return queued.filter((row) => mine.has(row.deliveryId));
}

describe("REST callbackUrl", () => {
  it("refuses a URL the outbound check refuses with a 400 naming the field, and starts nothing", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const key = await operatorKey(tenant.id);
    for (const callbackUrl of ["https://10.0.0.7/hook", "https://user:pw@example.com/hook"]) {
      const response = await start(key, { skill: skill.slug, inputs: {}, callbackUrl });
      expect(response.status).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; fields: Record<string, string[]> };
      };
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.fields.callbackUrl?.[0]).toBeTruthy();
    }
    const notUrl = await start(key, { skill: skill.slug, inputs: {}, callbackUrl: "ftp://x/y" });
    expect(notUrl.status).toBe(400);
    const runs = await db.select().from(skillRuns).where(eq(skillRuns.tenantId, tenant.id));
    expect(runs).toEqual([]);
  });

  it("posts the finished run once, signed with the secret the start answered; waits while the run runs", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const key = await operatorKey(tenant.id);
    const callbackUrl = `${httpBase}/hooks/done?token=do-not-show`;
    const response = await start(
      key,
      { skill: skill.slug, inputs: {}, tags: ["team:ops"], callbackUrl },
      "cb-1",
    );
    expect(response.status).toBe(201);
    const started = (await response.json()) as { id: string; callback: { signingSecret: string } };
    expect(started.callback.signingSecret).toMatch(/\S{20,}/);

    // An idempotent repeat answers the same run and secret, and records no second callback.
    const repeat = await start(
      key,
      { skill: skill.slug, inputs: {}, tags: ["team:ops"], callbackUrl },
      "cb-1",
    );
    expect(repeat.status).toBe(200);
    expect(await repeat.json()).toMatchObject({ id: started.id, callback: started.callback });

    const [row] = await deliveriesOf(started.id);
    expect(row).toMatchObject({
      status: "waiting",
      targetKind: "callback",
      target: new URL(httpBase).host,
    });
    expect(row?.secret).not.toContain("do-not-show");
    expect(row?.secret).not.toContain(started.callback.signingSecret);
    expect((await deliveriesOf(started.id)).length).toBe(1);

    expect(await queuedFor(started.id)).toEqual([]);
    const ref = { runId: started.id, tenantId: tenant.id };
    await markRunning(db, ref);
    expect(await queuedFor(started.id)).toEqual([]);
    await completeRun(db, ref, {
      markdown: "# Report\n\nAll good.",
      masked: {},
      usage: ZERO_USAGE,
    });

    const queued = await queuedFor(started.id);
    expect(queued).toHaveLength(1);
    // A second sweep does not queue it again.
    expect(await queuedFor(started.id)).toEqual([]);
    const deliveryId = queued[0]?.deliveryId ?? "";
    expect(await attemptRunDelivery(db, { deliveryId, tenantId: tenant.id }, false)).toEqual({
      status: "sent",
    });
    // A repeated event finds it sent and sends nothing.
    expect(await attemptRunDelivery(db, { deliveryId, tenantId: tenant.id }, false)).toEqual({
      status: "skipped",
    });
    expect(hits).toHaveLength(1);
    const hit = hits[0];
    if (!hit) throw new Error("no hit");
    expect(hit.headers["skillrun-delivery-id"]).toBe(deliveryId);
    const check = verifyWebhookSignature({
      header: String(hit.headers["skillrun-signature"]),
      body: new TextEncoder().encode(hit.body),
      secrets: [started.callback.signingSecret],
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect(check.verdict).toBe("valid");
    const posted = JSON.parse(hit.body) as { type: string; data: Record<string, unknown> };
    expect(posted.type).toBe("run.complete");
    expect(posted.data).toMatchObject({
      id: started.id,
      status: "complete",
      failure: null,
      deliverable: { format: "markdown", content: "# Report\n\nAll good." },
      tags: ["team:ops"],
      skill: { slug: skill.slug },
    });
    expect(posted.data.finishedAt).toEqual(expect.any(String));
    const [sent] = await deliveriesOf(started.id);
    expect(sent).toMatchObject({ status: "sent", attempts: 1, error: null });
  });

  it("refuses an Idempotency-Key repeated with another callbackUrl, or none, and records nothing", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const key = await operatorKey(tenant.id);
    const body = { skill: skill.slug, inputs: {} };
    const first = await start(key, { ...body, callbackUrl: `${httpBase}/first` }, "cb-2");
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: string };
    for (const repeat of [{ ...body, callbackUrl: `${httpBase}/second` }, body]) {
      const response = await start(key, repeat, "cb-2");
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        error: {
          code: "idempotency_key_reused",
          fields: { "Idempotency-Key": [expect.stringContaining("callbackUrl")] },
        },
      });
    }
    const runs = await db.select().from(skillRuns).where(eq(skillRuns.tenantId, tenant.id));
    expect(runs.map((run) => run.id)).toEqual([id]);
    expect(await deliveriesOf(id)).toHaveLength(1);
    // Without a callback, a key's hash is what it was before callbacks: its repeat still matches.
    const plain = await start(key, body, "cb-3");
    expect(plain.status).toBe(201);
    expect((await start(key, body, "cb-3")).status).toBe(200);
  });

  it("records each failed attempt without the remote body, and fails on the last", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const key = await operatorKey(tenant.id);
    const response = await start(key, {
      skill: skill.slug,
      inputs: {},
      callbackUrl: `${httpBase}/down`,
    });
    const { id } = (await response.json()) as { id: string };
    const ref = { runId: id, tenantId: tenant.id };
    await markRunning(db, ref);
    await completeRun(db, ref, { markdown: "done", masked: {}, usage: ZERO_USAGE });
    const [queued] = await queuedFor(id);
    const deliveryRef = { deliveryId: queued?.deliveryId ?? "", tenantId: tenant.id };
    answerStatus = 503;
    await expect(attemptRunDelivery(db, deliveryRef, false)).rejects.toThrow(/HTTP 503/);
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: "pending", attempts: 1 });
    expect(await attemptRunDelivery(db, deliveryRef, true)).toEqual({ status: "failed" });
    const [failed] = await deliveriesOf(id);
    expect(failed).toMatchObject({ status: "failed", attempts: 2 });
    expect(failed?.error).toContain("503");
    expect(failed?.error).not.toContain("remote detail");
  });

  it("another tenant's id is not delivered", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    const key = await operatorKey(tenant.id);
    const response = await start(key, {
      skill: skill.slug,
      inputs: {},
      callbackUrl: `${httpBase}/x`,
    });
    const { id } = (await response.json()) as { id: string };
    await markRunning(db, { runId: id, tenantId: tenant.id });
    await completeRun(
      db,
      { runId: id, tenantId: tenant.id },
      { markdown: "x", masked: {}, usage: ZERO_USAGE },
    );
    const [queued] = await queuedFor(id);
    const foreign = { deliveryId: queued?.deliveryId ?? "", tenantId: other.tenant.id };
    expect(await attemptRunDelivery(db, foreign, false)).toEqual({ status: "skipped" });
    expect(hits).toEqual([]);
  });
});

/** A complete run with a callback delivery to the test receiver, queued; its ref and id. */
async function queuedCallback() {
  const {
    tenant,
    ref: { runId },
  } = await createFinishedRun(db, "complete");
  await addRunCallback(db, { tenantId: tenant.id, runId, url: `${httpBase}/claimed` });
  const [queued] = await queuedFor(runId);
  return { runId, ref: { deliveryId: queued?.deliveryId ?? "", tenantId: tenant.id } };
}

describe("claim before send", () => {
  it("two attempts at once send once: one claims and sends, the other finds it claimed", async () => {
    const { runId, ref } = await queuedCallback();
    answerDelayMs = 300;
    const outcomes = await Promise.allSettled([
      attemptRunDelivery(db, ref, false),
      attemptRunDelivery(db, ref, false),
    ]);
    expect(hits).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toEqual([
      { status: "fulfilled", value: { status: "sent" } },
    ]);
    const refused = outcomes.find((outcome) => outcome.status === "rejected");
    expect(refused?.status === "rejected" ? String(refused.reason) : "").toContain(
      "Another attempt is sending",
    );
    expect((await deliveriesOf(runId))[0]).toMatchObject({
      status: "sent",
      attempts: 1,
      claimedAt: null,
    });
  });

  it("a fresh claim is left to its holder; a stale one (a crashed sender) is taken over", async () => {
    const { runId, ref } = await queuedCallback();
    await db
      .update(runDeliveries)
      .set({ claimedAt: sql`now()` })
      .where(eq(runDeliveries.runId, runId));
    await expect(attemptRunDelivery(db, ref, false)).rejects.toThrow(/Another attempt/);
    expect(await attemptRunDelivery(db, ref, true)).toEqual({ status: "skipped" });
    expect(hits).toEqual([]);
    expect((await deliveriesOf(runId))[0]).toMatchObject({ status: "pending", attempts: 0 });

    await db
      .update(runDeliveries)
      .set({ claimedAt: sql`now() - interval '2 minutes'` })
      .where(eq(runDeliveries.runId, runId));
    expect(await attemptRunDelivery(db, ref, false)).toEqual({ status: "sent" });
    expect(hits).toHaveLength(1);
    expect((await deliveriesOf(runId))[0]).toMatchObject({
      status: "sent",
      attempts: 1,
      claimedAt: null,
    });
  });

  it("a failed attempt releases its claim, so the retry sends", async () => {
    const { runId, ref } = await queuedCallback();
    answerStatus = 502;
    await expect(attemptRunDelivery(db, ref, false)).rejects.toThrow(/HTTP 502/);
    expect((await deliveriesOf(runId))[0]).toMatchObject({ status: "pending", claimedAt: null });
    answerStatus = 200;
    expect(await attemptRunDelivery(db, ref, false)).toEqual({ status: "sent" });
    expect((await deliveriesOf(runId))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });
});

/** Until some session of this database waits on a lock. */
async function waitForALockWaiter() {
  for (;;) {
    const waiting = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((waiting[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the delivery sweep", () => {
  it("re-sends a lost queuing's event under its first id, once per LOST_QUEUING_MS", async () => {
    const { runId, ref } = await queuedCallback();
    const lostAt = new Date(Date.now() - LOST_QUEUING_MS - 60_000);
    lostAt.setMilliseconds(0);
    await db.update(runDeliveries).set({ queuedAt: lostAt }).where(eq(runDeliveries.runId, runId));
    // A claimed one is being sent, not lost.
    await db
      .update(runDeliveries)
      .set({ claimedAt: sql`now()` })
      .where(eq(runDeliveries.runId, runId));
    expect(await queuedFor(runId)).toEqual([]);
    await db.update(runDeliveries).set({ claimedAt: null }).where(eq(runDeliveries.runId, runId));

    expect(await queuedFor(runId)).toEqual([
      { deliveryId: ref.deliveryId, tenantId: ref.tenantId, queuedAt: lostAt.getTime() },
    ]);
    expect(await queuedFor(runId)).toEqual([]);
    expect((await deliveriesOf(runId))[0]).toMatchObject({ status: "pending", queuedAt: lostAt });
  });

  it("queues anew a pending delivery whose sender died holding its claim, once the claim is stale", async () => {
    const { runId, ref } = await queuedCallback();
    const claim = await claimDelivery(db, runDeliveries, ref);
    expect(claim).not.toBeNull();
    // Within STALE_CLAIM_MS the holder may still be sending: the sweep leaves it alone.
    expect(await queuedFor(runId)).toEqual([]);

    // Its function's every retry found it claimed and gave up; then the holder died.
    const longAgo = new Date(Date.now() - STALE_CLAIM_MS - 5_000);
    longAgo.setMilliseconds(0);
    await db
      .update(runDeliveries)
      .set({ claimedAt: longAgo, queuedAt: longAgo })
      .where(eq(runDeliveries.runId, runId));
    const [requeued, ...more] = await queuedFor(runId);
    expect(more).toEqual([]);
    // A new queuing, so a new event name: the engine would drop the finished one's again.
    expect(requeued?.deliveryId).toBe(ref.deliveryId);
    expect(requeued?.queuedAt).toBeGreaterThan(longAgo.getTime());
    expect((await deliveriesOf(runId))[0]).toMatchObject({ status: "pending", claimedAt: null });
    expect(await queuedFor(runId)).toEqual([]);
    expect(await attemptRunDelivery(db, ref, true)).toEqual({ status: "sent" });
  });

  it("overlapping sweeps queue a delivery once: the update re-tests what the select chose", async () => {
    const {
      tenant,
      ref: { runId },
    } = await createFinishedRun(db, "failed");
    await addRunCallback(db, { tenantId: tenant.id, runId, url: `${httpBase}/overlap` });
    const mine = (rows: QueuedDelivery[]) => rows.filter((row) => row.tenantId === tenant.id);

    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let first: QueuedDelivery[] = [];
    let firstQueued = () => {};
    const queuedByFirst = new Promise<void>((resolve) => (firstQueued = resolve));
    const firstSweep = db.transaction(async (tx) => {
      first = await queueDueDeliveries(tx, 1000);
      firstQueued();
      await held;
    });
    await queuedByFirst;
    // The second sweep's select still sees the row waiting; its update waits for the first.
    const secondSweep = queueDueDeliveries(db, 1000);
    await waitForALockWaiter();
    release();
    await firstSweep;
    expect(mine(first)).toHaveLength(1);
    expect(mine(await secondSweep)).toEqual([]);
  });
});
