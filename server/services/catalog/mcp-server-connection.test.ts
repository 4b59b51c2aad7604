import { describe, expect, it } from "vitest";
import { generateEncryptionKey } from "@/server/crypto/encryption-key";
import { encryptSecret, keyringOf } from "@/server/crypto/secrets";
import { mcpServers } from "@/server/db/schema";
import { createTenant, openTestDatabase } from "@/test/fixtures";
import { testMcpConnection } from "./mcp-server-connection";

const { db } = openTestDatabase();

describe("testing a saved MCP server's connection", () => {
  it("answers a token no configured key opens as a failed test with a reason, not an error", async () => {
    const tenant = await createTenant(db);
    const lostKey = keyringOf(generateEncryptionKey());
    const [server] = await db
      .insert(mcpServers)
      .values({
        tenantId: tenant.id,
        name: "Tickets",
        url: "https://mcp.example.com/mcp",
        authToken: encryptSecret("lost-token", lostKey),
      })
      .returning({ id: mcpServers.id });
    if (!server) throw new Error("insert returned no server");

    expect(await testMcpConnection(db, tenant.id, { mcpServerId: server.id })).toEqual({
      ok: false,
      reason:
        "The saved token cannot be read: it was encrypted with a key this server no longer has. Enter the token again and save.",
    });
  });
});
