import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAKE_MCP_REFUSAL_BODY,
  FAKE_MCP_TOOLS,
  startFakeMcpServer,
} from "@/e2e/fixtures/mcp-server";
import { agentMcpServers, auditLog, mcpServers } from "@/server/db/schema";
import type { MemberRole } from "@/server/db/schema/enums";
import {
  createTenantWithSkill,
  openTestDatabase,
  signedInMember,
  trpcFailure as failure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();
const TOKEN = "mcp-token-7f3a9c";
let fake: Awaited<ReturnType<typeof startFakeMcpServer>>;
beforeAll(async () => {
  fake = await startFakeMcpServer({ token: TOKEN });
});
afterAll(async () => {
  await fake.close();
});

const member = async (tenantId: string, role: MemberRole) =>
  (await signedInMember(db, auth, tenantId, role)).caller;
async function auditOf(tenantId: string) {
  return db
    .select({ action: auditLog.action, metadata: auditLog.metadata })
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), sql`${auditLog.action} like 'mcp_server.%'`))
    .orderBy(auditLog.id);
}

describe("mcpServers router", () => {
  it("adds a server whose token is stored encrypted and never read back, and lists its tools", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.mcpServers.create({
      name: "Tickets",
      url: fake.url,
      authToken: TOKEN,
    });
    const webhook = await admin.webhooks.create({
      name: "Issues",
      skillId: skill.id,
      agentId: null,
      inputMapping: {},
      rateLimitPerMinute: 60,
      enabled: true,
    });

    const [listed] = await admin.mcpServers.list();
    expect(listed).toMatchObject({ id, name: "Tickets", url: fake.url, hasToken: true });
    expect(JSON.stringify(await admin.mcpServers.list())).not.toContain(TOKEN);
    expect(JSON.stringify(await admin.mcpServers.get({ mcpServerId: id }))).not.toContain(TOKEN);

    // The raw rows, as anyone with a copy of the database would read them.
    const rows = await db.execute<Record<string, string | null>>(
      sql`select auth_token as secret from mcp_servers where id = ${id}
          union all select signing_secret from webhooks where id = ${webhook.id}`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.secret).toMatch(/^enc:v1:/);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain(webhook.secret);

    const tested = await admin.mcpServers.testConnection({ mcpServerId: id });
    expect(tested).toEqual({
      ok: true,
      tools: FAKE_MCP_TOOLS.map((tool) => ({ ...tool })),
    });
    expect(fake.authorizations.at(-1)).toBe(`Bearer ${TOKEN}`);

    const audit = await auditOf(tenant.id);
    expect(audit).toEqual([
      {
        action: "mcp_server.create",
        metadata: {
          name: "Tickets",
          changes: expect.arrayContaining([{ field: "Auth token", before: null, after: "set" }]),
        },
      },
    ]);
  });

  it("answers two saves of one name at once with one server and a conflict on the name", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const results = await Promise.allSettled(
      [0, 1].map(() => admin.mcpServers.create({ name: "Tickets", url: fake.url })),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const [refused] = results.flatMap((result) =>
      result.status === "rejected" ? [result.reason] : [],
    );
    expect(await failure(Promise.reject(refused))).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { name: [expect.any(String)] },
    });
    expect((await admin.mcpServers.list()).map((server) => server.name)).toEqual(["Tickets"]);
  });

  it("tests an unsaved URL and token, and says why a connection failed without the server's words", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    expect(
      await admin.mcpServers.testConnection({ url: fake.url, authToken: TOKEN }),
    ).toMatchObject({
      ok: true,
    });
    const refused = await admin.mcpServers.testConnection({ url: fake.url, authToken: "wrong" });
    expect(refused).toEqual({ ok: false, reason: expect.stringContaining("answered HTTP 401") });
    expect(JSON.stringify(refused)).not.toContain(FAKE_MCP_REFUSAL_BODY);
    expect(await admin.mcpServers.testConnection({ url: "http://169.254.169.254/" })).toEqual({
      ok: false,
      reason: expect.stringMatching(/link-local address/),
    });
  });

  it("refuses URLs the server must not reach, with the reason on the URL field, and saves nothing", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const engine = await failure(
      admin.mcpServers.create({ name: "Engine", url: "http://127.0.0.1:8288/e/key" }),
    );
    expect(engine).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { url: [expect.stringMatching(/Skillrun's own Inngest engine/)] },
    });
    const metadata = await failure(
      admin.mcpServers.create({ name: "Metadata", url: "http://169.254.169.254/latest" }),
    );
    expect(metadata.fieldErrors?.url?.[0]).toMatch(/link-local address/);
    const credentials = await failure(
      admin.mcpServers.create({ name: "Creds", url: "https://bot:pw@93.184.216.34/mcp" }),
    );
    expect(credentials.fieldErrors?.url?.[0]).toMatch(/user name or password/);
    expect((await failure(admin.mcpServers.create({ name: "Bad", url: "not a url" }))).code).toBe(
      "BAD_REQUEST",
    );
    expect(await admin.mcpServers.list()).toEqual([]);
    expect(await auditOf(tenant.id)).toEqual([]);
  });

  it("keeps, replaces and removes the token on edit, logging set/changed/not set and never the value", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.mcpServers.create({
      name: "Tickets",
      url: fake.url,
      authToken: TOKEN,
    });
    expect(
      await failure(admin.mcpServers.create({ name: "Tickets", url: fake.url })),
    ).toMatchObject({
      code: "CONFLICT",
      fieldErrors: { name: [expect.stringMatching(/already/)] },
    });

    const server = { name: "Tickets (renamed)", url: fake.url };
    await admin.mcpServers.update({ mcpServerId: id, server, token: { action: "keep" } });
    expect((await admin.mcpServers.testConnection({ mcpServerId: id })).ok).toBe(true);
    await admin.mcpServers.update({
      mcpServerId: id,
      server,
      token: { action: "replace", value: "second-token" },
    });
    await admin.mcpServers.update({ mcpServerId: id, server, token: { action: "remove" } });
    expect(await admin.mcpServers.get({ mcpServerId: id })).toMatchObject({ hasToken: false });

    // A token goes only to the server it was given for.
    await admin.mcpServers.update({
      mcpServerId: id,
      server,
      token: { action: "replace", value: TOKEN },
    });
    const moved = await failure(
      admin.mcpServers.update({
        mcpServerId: id,
        server: { ...server, url: "https://93.184.216.34/mcp" },
        token: { action: "keep" },
      }),
    );
    expect(moved).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { authToken: [expect.stringMatching(/old URL/)] },
    });
    const elsewhere = await admin.mcpServers.testConnection({
      mcpServerId: id,
      url: fake.url.replace("127.0.0.1", "localhost"),
    });
    expect(elsewhere.ok).toBe(false);
    expect(fake.authorizations.at(-1)).toBe("");

    const tokenChanges = (await auditOf(tenant.id))
      .filter((entry) => entry.action === "mcp_server.update")
      .map(
        (entry) =>
          (entry.metadata.changes as { field: string; after: string }[]).find(
            (change) => change.field === "Auth token",
          )?.after,
      );
    expect(tokenChanges).toEqual([undefined, "changed", "not set", "set"]);
    const log = JSON.stringify(await auditOf(tenant.id));
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain("second-token");
  });

  it("enables, disables and deletes, removing it from the agents that used it", async () => {
    const { tenant, agent } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.mcpServers.create({ name: "Tickets", url: fake.url });
    await db.insert(agentMcpServers).values({ agentId: agent.id, mcpServerId: id });
    expect((await admin.mcpServers.get({ mcpServerId: id })).agents).toEqual([
      { id: agent.id, name: agent.name },
    ]);
    await admin.mcpServers.setEnabled({ mcpServerId: id, enabled: false });
    await admin.mcpServers.setEnabled({ mcpServerId: id, enabled: false });
    await admin.mcpServers.setEnabled({ mcpServerId: id, enabled: true });
    await admin.mcpServers.delete({ mcpServerId: id });
    expect(
      await db.select().from(agentMcpServers).where(eq(agentMcpServers.mcpServerId, id)),
    ).toEqual([]);
    expect((await auditOf(tenant.id)).map((entry) => entry.action)).toEqual([
      "mcp_server.create",
      "mcp_server.disable",
      "mcp_server.enable",
      "mcp_server.delete",
    ]);
    expect(await failure(admin.mcpServers.delete({ mcpServerId: id }))).toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("lets operators and viewers read (URLs cut to their origin) and nothing else", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const admin = await member(tenant.id, "admin");
    const { id } = await admin.mcpServers.create({
      name: "Tickets",
      url: `${fake.url}?key=path-secret`,
      authToken: TOKEN,
    });
    for (const role of ["viewer", "operator"] as const) {
      const caller = await member(tenant.id, role);
      const [listed] = await caller.mcpServers.list();
      expect(listed).toMatchObject({ id, url: new URL(fake.url).origin, hasToken: true });
      expect(JSON.stringify(await caller.mcpServers.get({ mcpServerId: id }))).not.toContain(
        "path-secret",
      );
      for (const call of [
        () => caller.mcpServers.create({ name: "Mine", url: fake.url }),
        () =>
          caller.mcpServers.update({
            mcpServerId: id,
            server: { name: "Mine", url: fake.url },
            token: { action: "remove" },
          }),
        () => caller.mcpServers.setEnabled({ mcpServerId: id, enabled: false }),
        () => caller.mcpServers.delete({ mcpServerId: id }),
        () => caller.mcpServers.testConnection({ mcpServerId: id }),
      ])
        expect((await failure(call())).code).toBe("FORBIDDEN");
    }
    const [row] = await db.select().from(mcpServers).where(eq(mcpServers.id, id));
    expect(row).toMatchObject({ name: "Tickets", enabled: true });
  });
});
