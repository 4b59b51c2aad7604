import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { generateEncryptionKey } from "@/server/crypto/encryption-key";
import { decryptSecret, encryptSecret, keyIdOf, keyringOf } from "@/server/crypto/secrets";
import { createFinishedRun, createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { mcpServers, notificationChannels, runDeliveries, webhooks } from "./schema";
import { describeUnreadableSecrets, resealCandidates, sealStoredSecrets } from "./secrets-at-rest";

const { db } = openTestDatabase();

async function rawRows(tenantId: string) {
  const [server] = await db.execute<{ auth_token: string }>(
    sql`select auth_token from mcp_servers where tenant_id = ${tenantId}`,
  );
  const [hook] = await db.execute<{
    signing_secret: string;
    previous_signing_secret: string;
    updated_at: string;
  }>(
    sql`select signing_secret, previous_signing_secret, updated_at::text from webhooks where tenant_id = ${tenantId}`,
  );
  return { token: server!.auth_token, hook: hook! };
}

describe("sealStoredSecrets", () => {
  it("encrypts secrets stored in plain text, then re-encrypts them under a new key", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    await db.insert(mcpServers).values({
      tenantId: tenant.id,
      name: "tickets",
      url: "https://mcp.example.com/mcp",
      authToken: "plain-token",
    });
    await db.insert(webhooks).values({
      tenantId: tenant.id,
      name: "Issues",
      skillId: skill.id,
      signingSecret: "whsec_plain-current",
      previousSigningSecret: "whsec_plain-previous",
    });
    const before = await rawRows(tenant.id);

    const first = keyringOf(generateEncryptionKey());
    expect((await sealStoredSecrets(db, first)).sealed).toBeGreaterThanOrEqual(2);
    const sealed = await rawRows(tenant.id);
    for (const value of [
      sealed.token,
      sealed.hook.signing_secret,
      sealed.hook.previous_signing_secret,
    ])
      expect(keyIdOf(value)).toBe(first.current.id);
    expect(JSON.stringify(sealed)).not.toMatch(/plain-/);
    expect(decryptSecret(sealed.token, first)).toBe("plain-token");
    expect(decryptSecret(sealed.hook.previous_signing_secret, first)).toBe("whsec_plain-previous");
    // Sealing is no edit: a webhook's replayability reads updated_at.
    expect(sealed.hook.updated_at).toBe(before.hook.updated_at);
    // A second pass finds nothing of this tenant's to do.
    await sealStoredSecrets(db, first);
    expect(await rawRows(tenant.id)).toEqual(sealed);

    const rotated = keyringOf(generateEncryptionKey(), [first.current.bytes.toString("base64url")]);
    await sealStoredSecrets(db, rotated);
    const resealed = await rawRows(tenant.id);
    expect(keyIdOf(resealed.token)).toBe(rotated.current.id);
    expect(keyIdOf(resealed.hook.signing_secret)).toBe(rotated.current.id);
    expect(
      decryptSecret(resealed.hook.signing_secret, keyringOf(rotated.current.bytes.toString("hex"))),
    ).toBe("whsec_plain-current");
    await db.delete(webhooks).where(eq(webhooks.tenantId, tenant.id));
  });

  it("skips and reports a secret under a key it does not have, and seals the rest", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const lost = keyringOf(generateEncryptionKey());
    const [server] = await db
      .insert(mcpServers)
      .values({
        tenantId: tenant.id,
        name: "lost",
        url: "https://mcp.example.com/mcp",
        authToken: encryptSecret("lost-token", lost),
      })
      .returning({ id: mcpServers.id });
    await db.insert(webhooks).values({
      tenantId: tenant.id,
      name: "Readable",
      skillId: skill.id,
      signingSecret: "whsec_plain-readable",
    });
    const before = await rawRows(tenant.id);

    const keyring = keyringOf(generateEncryptionKey());
    const { unreadable } = await sealStoredSecrets(db, keyring);
    expect(unreadable).toContainEqual({
      table: "mcp_servers",
      id: server?.id,
      keyId: lost.current.id,
    });
    const after = await rawRows(tenant.id);
    expect(after.token).toBe(before.token);
    expect(decryptSecret(after.hook.signing_secret, keyring)).toBe("whsec_plain-readable");
    expect(describeUnreadableSecrets(unreadable)).toContain(
      `mcp_servers ${server?.id} (key id ${lost.current.id})`,
    );
    await db.delete(webhooks).where(eq(webhooks.tenantId, tenant.id));
    await db.delete(mcpServers).where(eq(mcpServers.tenantId, tenant.id));
  });

  it("seals an alert channel's secret stored in plain text", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const [channel] = await db
      .insert(notificationChannels)
      .values({
        tenantId: tenant.id,
        name: "Slack",
        kind: "slack",
        config: {},
        secret: "https://hooks.slack.com/services/plain",
        secretHint: "lain",
      })
      .returning({ id: notificationChannels.id });
    const keyring = keyringOf(generateEncryptionKey());
    await sealStoredSecrets(db, keyring);
    const [row] = await db
      .select({ secret: notificationChannels.secret })
      .from(notificationChannels)
      .where(eq(notificationChannels.id, channel!.id));
    expect(keyIdOf(row?.secret ?? "")).toBe(keyring.current.id);
    expect(decryptSecret(row?.secret ?? "", keyring)).toBe(
      "https://hooks.slack.com/services/plain",
    );
  });

  it("re-encrypts a callback delivery that may still be sent under the new key", async () => {
    const { tenant, ref } = await createFinishedRun(db, "complete");
    const first = keyringOf(generateEncryptionKey());
    const stored = JSON.stringify({ url: "https://example.com/cb", signingSecret: "whsec_x" });
    const [delivery] = await db
      .insert(runDeliveries)
      .values({
        tenantId: tenant.id,
        runId: ref.runId,
        targetKind: "callback",
        target: "example.com",
        secret: encryptSecret(stored, first),
        status: "waiting",
      })
      .returning({ id: runDeliveries.id });
    const rotated = keyringOf(generateEncryptionKey(), [first.current.bytes.toString("base64url")]);
    await sealStoredSecrets(db, rotated);
    const [row] = await db
      .select({ secret: runDeliveries.secret })
      .from(runDeliveries)
      .where(eq(runDeliveries.id, delivery!.id));
    expect(keyIdOf(row?.secret ?? "")).toBe(rotated.current.id);
    expect(decryptSecret(row?.secret ?? "", rotated)).toBe(stored);
  });

  it("reads only the deliveries still to be sent whose secret is under another key, by an index", async () => {
    const { tenant, ref } = await createFinishedRun(db, "complete");
    const old = keyringOf(generateEncryptionKey());
    const current = keyringOf(generateEncryptionKey(), [old.current.bytes.toString("base64url")]);
    const delivery = (secret: string, status: "failed" | "sent") => ({
      tenantId: tenant.id,
      runId: ref.runId,
      targetKind: "callback" as const,
      target: "example.com",
      secret,
      status,
    });
    const rows = await db
      .insert(runDeliveries)
      .values([
        delivery("plain-callback", "failed"),
        delivery(encryptSecret("old-callback", old), "failed"),
        delivery(encryptSecret("current-callback", current), "failed"),
        delivery(encryptSecret("sent-callback", old), "sent"),
      ])
      .returning({ id: runDeliveries.id, secret: runDeliveries.secret });
    const candidates = await db
      .select({ id: runDeliveries.id })
      .from(runDeliveries)
      .where(and(eq(runDeliveries.runId, ref.runId), resealCandidates(current)));
    expect(candidates.map((row) => row.id).sort()).toEqual([rows[0]!.id, rows[1]!.id].sort());

    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute<{ "QUERY PLAN": string }>(
        sql`explain select id from run_deliveries where ${resealCandidates(current)}`,
      );
    });
    expect(plan.map((line) => line["QUERY PLAN"]).join("\n")).toContain(
      "run_deliveries_reseal_index",
    );

    await sealStoredSecrets(db, current);
    const after = await db
      .select({ id: runDeliveries.id, secret: runDeliveries.secret })
      .from(runDeliveries)
      .where(eq(runDeliveries.runId, ref.runId));
    const secretOf = (id: string) => after.find((row) => row.id === id)?.secret ?? "";
    expect(keyIdOf(secretOf(rows[0]!.id))).toBe(current.current.id);
    expect(keyIdOf(secretOf(rows[1]!.id))).toBe(current.current.id);
    expect(secretOf(rows[2]!.id)).toBe(rows[2]!.secret);
    expect(secretOf(rows[3]!.id)).toBe(rows[3]!.secret);
  });
});
