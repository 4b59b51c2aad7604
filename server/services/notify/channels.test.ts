import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "@/e2e/fixtures/smtp-sink";
import { auditLog, notificationChannels } from "@/server/db/schema";
import { verifyWebhookSignature } from "@/server/services/webhooks/webhook-signature";
import { createTenant, openTestDatabase } from "@/test/fixtures";
import { createChannel, listChannels, loadChannel, sendToChannel, updateChannel } from "./channels";
import type { Notice } from "./notice";

const { db } = openTestDatabase();
const audit = { actor: { type: "user" as const, id: null }, origin: null };

type Hit = { path: string; headers: IncomingMessage["headers"]; body: string };
const hits: Hit[] = [];
let http: Server;
let httpBase = "";
let answerStatus = 200;

beforeAll(async () => {
  http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      hits.push({
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.statusCode = answerStatus;
      response.end("secret remote detail");
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  httpBase = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => http.close(() => resolve())));

const notice = (id: string): Notice => ({
  id,
  type: "alert.test",
  subject: "Skill X failed <3 times>",
  text: "Run 123 failed: model_error",
  facts: { runId: "123" },
});

describe("email channels", () => {
  it("sends through the tenant's SMTP server with its account; the password is stored encrypted and never shown", async () => {
    const smtp = await startSmtpSink({ user: "alerts", password: "s3cret-pass" });
    try {
      const tenant = await createTenant(db);
      const { id } = await createChannel(
        db,
        { tenantId: tenant.id, audit },
        {
          channel: {
            kind: "email",
            name: "On-call",
            config: {
              recipients: ["ops@example.com", "lead@example.com"],
              smtpHost: "127.0.0.1",
              smtpPort: smtp.port,
              smtpSecurity: "none",
              smtpUser: "alerts",
              from: "skillrun@example.com",
            },
          },
          secret: "s3cret-pass",
        },
      );
      const [stored] = await db
        .select()
        .from(notificationChannels)
        .where(eq(notificationChannels.id, id));
      expect(stored?.secret).toMatch(/^enc:v1:/);
      expect(stored?.secret).not.toContain("s3cret-pass");
      const [shown] = await listChannels(db, tenant.id);
      expect(shown).toMatchObject({ hasSecret: true, secretHint: "pass" });
      expect(JSON.stringify(shown)).not.toContain("s3cret-pass");

      await sendToChannel(await loadChannel(db, tenant.id, id), notice("n-1"));
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]).toMatchObject({
        from: "skillrun@example.com",
        to: ["ops@example.com", "lead@example.com"],
        user: "alerts",
      });
      expect(smtp.received[0]?.subject).toBe("Skill X failed <3 times>");
      expect(smtp.received[0]?.text.trim()).toBe("Run 123 failed: model_error");

      const [entry] = await db.select().from(auditLog).where(eq(auditLog.tenantId, tenant.id));
      expect(entry?.action).toBe("alert_channel.create");
      expect(JSON.stringify(entry?.metadata)).not.toContain("s3cret-pass");
    } finally {
      await smtp.close();
    }
  });

  it("fails a send the SMTP server refuses with a reason that holds no secret", async () => {
    const smtp = await startSmtpSink({ user: "alerts", password: "right" });
    try {
      const tenant = await createTenant(db);
      const { id } = await createChannel(
        db,
        { tenantId: tenant.id, audit },
        {
          channel: {
            kind: "email",
            name: "Wrong password",
            config: {
              recipients: ["ops@example.com"],
              smtpHost: "127.0.0.1",
              smtpPort: smtp.port,
              smtpSecurity: "none",
              smtpUser: "alerts",
              from: "skillrun@example.com",
            },
          },
          secret: "wrong-password",
        },
      );
      const failure = await sendToChannel(await loadChannel(db, tenant.id, id), notice("n-2")).then(
        () => null,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect(String(failure)).toMatch(/did not take the message/);
      expect(String(failure)).not.toContain("wrong-password");
      expect(smtp.received).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it("refuses an SMTP host on a private address, and the app's own services' ports", async () => {
    const tenant = await createTenant(db);
    const base = {
      kind: "email" as const,
      name: "Internal",
      config: {
        recipients: ["ops@example.com"],
        smtpPort: 25,
        smtpSecurity: "starttls" as const,
        from: "skillrun@example.com",
      },
    };
    await expect(
      createChannel(
        db,
        { tenantId: tenant.id, audit },
        { channel: { ...base, config: { ...base.config, smtpHost: "10.0.0.5" } } },
      ),
    ).rejects.toThrow(/SMTP host.*private address/);
    await expect(
      createChannel(
        db,
        { tenantId: tenant.id, audit },
        { channel: { ...base, config: { ...base.config, smtpHost: "169.254.169.254" } } },
      ),
    ).rejects.toThrow(/link-local/);
    expect(await listChannels(db, tenant.id)).toEqual([]);
  });
});

describe("Slack channels", () => {
  it("posts the notice as mrkdwn text to the saved URL, which is encrypted and shown only by its end", async () => {
    const tenant = await createTenant(db);
    const url = `${httpBase}/services/T000/B000/abcd1234`;
    const { id } = await createChannel(
      db,
      { tenantId: tenant.id, audit },
      { channel: { kind: "slack", name: "#alerts", config: {} }, secret: url },
    );
    const [shown] = await listChannels(db, tenant.id);
    expect(shown).toMatchObject({ hasSecret: true, secretHint: "1234" });
    expect(JSON.stringify(shown)).not.toContain("abcd1234");
    const before = hits.length;
    await sendToChannel(await loadChannel(db, tenant.id, id), notice("n-3"));
    const hit = hits[before];
    expect(hit?.path).toBe("/services/T000/B000/abcd1234");
    expect(JSON.parse(hit?.body ?? "{}")).toEqual({
      text: "*Skill X failed &lt;3 times&gt;*\nRun 123 failed: model_error",
    });
  });

  it("fails on a non-2xx answer without echoing the remote body", async () => {
    const tenant = await createTenant(db);
    const { id } = await createChannel(
      db,
      { tenantId: tenant.id, audit },
      { channel: { kind: "slack", name: "#gone", config: {} }, secret: `${httpBase}/gone` },
    );
    answerStatus = 404;
    try {
      const send = sendToChannel(await loadChannel(db, tenant.id, id), notice("n-4"));
      await expect(send).rejects.toThrow("Slack answered HTTP 404.");
    } finally {
      answerStatus = 200;
    }
  });

  it("refuses a Slack URL on a private address and needs one at creation", async () => {
    const tenant = await createTenant(db);
    const scope = { tenantId: tenant.id, audit };
    const channel = { kind: "slack" as const, name: "#x", config: {} };
    await expect(
      createChannel(db, scope, { channel, secret: "https://192.168.1.10/hook" }),
    ).rejects.toThrow(/private address/);
    await expect(createChannel(db, scope, { channel })).rejects.toThrow(
      /Slack incoming webhook URL/,
    );
    expect(await listChannels(db, tenant.id)).toEqual([]);
  });
});

describe("signed webhook channels", () => {
  it("signs the JSON body as inbound webhooks are verified, with a generated secret answered once", async () => {
    const tenant = await createTenant(db);
    const { id, signingSecret } = await createChannel(
      db,
      { tenantId: tenant.id, audit },
      { channel: { kind: "webhook", name: "Pager", config: { url: `${httpBase}/pager` } } },
    );
    expect(signingSecret).toMatch(/^whsec_/);
    const before = hits.length;
    await sendToChannel(await loadChannel(db, tenant.id, id), notice("n-5"));
    const hit = hits[before];
    expect(hit?.headers["skillrun-delivery-id"]).toBe("n-5");
    const check = verifyWebhookSignature({
      header: String(hit?.headers["skillrun-signature"]),
      body: Buffer.from(hit?.body ?? ""),
      secrets: [signingSecret ?? ""],
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect(check.verdict).toBe("valid");
    expect(JSON.parse(hit?.body ?? "{}")).toMatchObject({
      id: "n-5",
      type: "alert.test",
      subject: "Skill X failed <3 times>",
      data: { runId: "123" },
    });
    const wrong = verifyWebhookSignature({
      header: String(hit?.headers["skillrun-signature"]),
      body: Buffer.from(hit?.body ?? ""),
      secrets: ["whsec_other"],
      nowSeconds: Math.floor(Date.now() / 1000),
    });
    expect(wrong.verdict).toBe("bad_signature");
  });

  it("checks an edited URL again, and keeps the secret unless it is replaced", async () => {
    const tenant = await createTenant(db);
    const scope = { tenantId: tenant.id, audit };
    const { id } = await createChannel(db, scope, {
      channel: { kind: "webhook", name: "Pager", config: { url: `${httpBase}/a` } },
    });
    const [before] = await db
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.id, id));
    await expect(
      updateChannel(db, scope, {
        channelId: id,
        channel: { kind: "webhook", name: "Pager", config: { url: "http://10.1.2.3/hook" } },
        secret: { action: "keep" },
      }),
    ).rejects.toThrow(/private address/);
    await updateChannel(db, scope, {
      channelId: id,
      channel: { kind: "webhook", name: "Pager 2", config: { url: `${httpBase}/b` } },
      secret: { action: "keep" },
    });
    const [after] = await db
      .select()
      .from(notificationChannels)
      .where(eq(notificationChannels.id, id));
    expect(after?.name).toBe("Pager 2");
    expect(after?.secret).toBe(before?.secret);
  });
});
