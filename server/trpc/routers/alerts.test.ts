import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSmtpSink } from "@/e2e/fixtures/smtp-sink";
import { auditLog, notificationChannels } from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
import {
  createTenantWithSkill,
  fingerprintTables,
  openTestDatabase,
  signedInMember,
  trpcFailure as failure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
beforeAll(async () => {
  smtp = await startSmtpSink({ user: "alerts", password: "smtp-pass-9q2w" });
});
afterAll(() => smtp.close());

const member = async (tenantId: string, role: MemberRole) =>
  (await signedInMember(db, auth, tenantId, role)).caller;

const emailChannel = (name = "On-call") => ({
  channel: {
    kind: "email" as const,
    name,
    config: {
      recipients: ["ops@example.com"],
      smtpHost: "127.0.0.1",
      smtpPort: smtp.port,
      smtpSecurity: "none" as const,
      smtpUser: "alerts",
      from: "skillrun@example.com",
    },
  },
  secret: "smtp-pass-9q2w",
});

describe("alerts router", () => {
  it("lets an admin configure and test; the password never comes back; members read rules and history", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const viewer = await member(tenant.id, "viewer");
    const operator = await member(tenant.id, "operator");

    const { id: channelId } = await admin.alerts.createChannel(emailChannel());
    expect(JSON.stringify(await admin.alerts.channels())).not.toContain("smtp-pass-9q2w");
    expect((await admin.alerts.channels())[0]).toMatchObject({
      hasSecret: true,
      secretHint: "9q2w",
    });
    const { id: ruleId } = await admin.alerts.createRule({
      rule: {
        name: "Skill failing",
        trigger: "run_failed",
        filters: { skillId: skill.id },
        cooldownMinutes: 30,
        enabled: true,
        channelIds: [channelId],
      },
    });

    expect(await admin.alerts.testRule({ ruleId })).toEqual([
      { channelName: "On-call", status: "sent", error: null },
    ]);
    expect(smtp.received.at(-1)?.user).toBe("alerts");

    // Viewers and operators read the rules and the history, never the channels, and change nothing.
    expect((await viewer.alerts.rules()).map((rule) => rule.name)).toEqual(["Skill failing"]);
    expect((await operator.alerts.history({ limit: 10 }))[0]).toMatchObject({
      isTest: true,
      status: "sent",
      channelName: "On-call",
    });
    const before = await fingerprintTables(db);
    for (const attempt of [
      () => viewer.alerts.channels(),
      () => operator.alerts.createChannel(emailChannel("Other")),
      () => operator.alerts.testChannel({ channelId }),
      () => operator.alerts.deleteRule({ ruleId }),
    ])
      expect((await failure(attempt())).code).toBe("FORBIDDEN");
    expect(await fingerprintTables(db)).toEqual(before);

    await admin.alerts.updateChannel({
      channelId,
      channel: emailChannel("On-call 2").channel,
      secret: { action: "keep" },
    });
    await admin.alerts.deleteRule({ ruleId });
    await admin.alerts.deleteChannel({ channelId });
    const entries = await db
      .select({ action: auditLog.action, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), sql`${auditLog.action} like 'alert_%'`))
      .orderBy(auditLog.id);
    expect(entries.map((entry) => entry.action)).toEqual([
      "alert_channel.create",
      "alert_rule.create",
      "alert_channel.update",
      "alert_rule.delete",
      "alert_channel.delete",
    ]);
    expect(JSON.stringify(entries)).not.toContain("smtp-pass-9q2w");
  });

  it("refuses a bad input with a clear field error and changes nothing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const before = await fingerprintTables(db);
    const badHost = await failure(
      admin.alerts.createChannel({
        ...emailChannel(),
        channel: {
          ...emailChannel().channel,
          config: { ...emailChannel().channel.config, smtpHost: "192.168.0.10" },
        },
      }),
    );
    expect(badHost.code).toBe("BAD_REQUEST");
    expect(badHost.message).toMatch(/SMTP host 192\.168\.0\.10 is a private address/);
    const noChannels = await failure(
      admin.alerts.createRule({
        rule: {
          name: "Nowhere",
          trigger: "failure_rate",
          filters: {},
          cooldownMinutes: 30,
          enabled: true,
          channelIds: [],
        },
      }),
    );
    expect(noChannels.code).toBe("BAD_REQUEST");
    expect(await fingerprintTables(db)).toEqual(before);
    expect(
      await db
        .select()
        .from(notificationChannels)
        .where(eq(notificationChannels.tenantId, tenant.id)),
    ).toEqual([]);
  });
});
