import "server-only";
import { and, eq, inArray } from "drizzle-orm";
import { decryptSecret } from "@/server/crypto/secrets";
import type { Database } from "@/server/db/client";
import { mcpServers } from "@/server/db/schema";

/** The MCP servers' secrets, read only here and only for this tenant, never into a snapshot. */
export async function loadMcpConnections(db: Database, tenantId: string, ids: string[]) {
  const servers = await db
    .select({ name: mcpServers.name, url: mcpServers.url, authToken: mcpServers.authToken })
    .from(mcpServers)
    .where(
      and(
        eq(mcpServers.tenantId, tenantId),
        inArray(mcpServers.id, ids),
        eq(mcpServers.enabled, true),
      ),
    );
  return servers.map((server) => ({
    ...server,
    authToken: server.authToken === null ? null : decryptSecret(server.authToken),
  }));
}
