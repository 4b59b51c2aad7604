import "server-only";
import { mcpOutboundPolicy } from "@/server/agent/mcp";
import { checkOutboundUrl, OutboundUrlRefusedError } from "@/server/net/outbound-url";

/**
 * Why the server may not connect to this MCP URL (the one outbound check, see
 * server/net/outbound-url.ts, which runs again at every connection), or null when it may.
 */
export async function checkMcpUrl(raw: string): Promise<string | null> {
  if (URL.canParse(raw)) {
    const url = new URL(raw);
    if (url.username || url.password)
      return "The URL must not hold a user name or password: put the credential in the auth token.";
  }
  try {
    await checkOutboundUrl(raw, mcpOutboundPolicy());
    return null;
  } catch (error) {
    if (error instanceof OutboundUrlRefusedError) return error.message;
    throw error;
  }
}

export function sameOrigin(a: string, b: string): boolean {
  return URL.canParse(a) && URL.canParse(b) && new URL(a).origin === new URL(b).origin;
}
