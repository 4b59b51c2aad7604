import "server-only";
import { and, eq } from "drizzle-orm";
import type { TestMcpConnectionInput } from "@/lib/schemas/mcp-servers";
import { listMcpServerTools, McpConnectionError } from "@/server/agent/mcp";
import { decryptSecret, SecretDecryptionError } from "@/server/crypto/secrets";
import type { Database } from "@/server/db/client";
import { mcpServers } from "@/server/db/schema";
import { checkMcpUrl, sameOrigin } from "./mcp-server-url";
import { McpServerNotFoundError } from "./mcp-servers";

export type McpConnectionTest =
  | { ok: true; tools: { name: string; description: string | null }[] }
  | { ok: false; reason: string };

/**
 * Connects as a run would and lists the tools the server offers. A refusal or failure is an
 * answer, not an error: the reason says what happened, never what the remote server said.
 */
export async function testMcpConnection(
  db: Database,
  tenantId: string,
  input: TestMcpConnectionInput,
): Promise<McpConnectionTest> {
  let saved: { name: string; url: string; authToken: string | null } | null = null;
  if (input.mcpServerId) {
    const [row] = await db
      .select({ name: mcpServers.name, url: mcpServers.url, authToken: mcpServers.authToken })
      .from(mcpServers)
      .where(and(eq(mcpServers.id, input.mcpServerId), eq(mcpServers.tenantId, tenantId)));
    if (!row) throw new McpServerNotFoundError(input.mcpServerId);
    saved = row;
  }
  const url = input.url ?? saved?.url ?? "";
  // The saved token goes only to the server it was given for.
  const savedToken = saved?.authToken && sameOrigin(saved.url, url) ? saved.authToken : null;
  let authToken = input.authToken ?? null;
  if (authToken === null && savedToken !== null) {
    try {
      authToken = decryptSecret(savedToken);
    } catch (error) {
      if (!(error instanceof SecretDecryptionError)) throw error;
      return {
        ok: false,
        reason:
          "The saved token cannot be read: it was encrypted with a key this server no longer has. Enter the token again and save.",
      };
    }
  }
  const refusal = await checkMcpUrl(url);
  if (refusal) return { ok: false, reason: refusal };
  try {
    const tools = await listMcpServerTools({ name: saved?.name ?? "", url, authToken });
    return { ok: true, tools };
  } catch (error) {
    if (error instanceof McpConnectionError)
      return { ok: false, reason: `The server could not be used: ${error.reason}.` };
    throw error;
  }
}
