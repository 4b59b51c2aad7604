import { redactUrl } from "./redact-url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { dynamicTool, jsonSchema, type ToolSet } from "ai";

export type McpServerConnection = { name: string; url: string; authToken: string | null };

export class McpConnectionError extends Error {
  readonly code = "mcp_unreachable";
}

const CONNECT_TIMEOUT_MS = 10_000;

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Connects to the agent's MCP servers (Streamable HTTP) and offers their tools to the model,
 * minus blocked ones. A server that cannot be reached fails the turn with a clear reason
 * instead of hanging. The auth token is sent as a bearer header and never leaves the server.
 */
export async function connectMcpTools(
  servers: McpServerConnection[],
  blockedTools: string[],
): Promise<{ tools: ToolSet; close: () => Promise<void> }> {
  const clients: Client[] = [];
  const tools: ToolSet = {};
  const close = async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
  };
  try {
    for (const server of servers) {
      const client = new Client({ name: "skillrun", version: "1.0.0" });
      const transport = new StreamableHTTPClientTransport(new URL(server.url), {
        requestInit: server.authToken
          ? { headers: { Authorization: `Bearer ${server.authToken}` } }
          : undefined,
      });
      try {
        await withTimeout(
          client.connect(transport),
          CONNECT_TIMEOUT_MS,
          `MCP server "${server.name}"`,
        );
        clients.push(client);
        const { tools: offered } = await withTimeout(
          client.listTools(),
          CONNECT_TIMEOUT_MS,
          `MCP server "${server.name}"`,
        );
        for (const offeredTool of offered) {
          if (blockedTools.includes(offeredTool.name) || offeredTool.name in tools) continue;
          tools[offeredTool.name] = dynamicTool({
            description: offeredTool.description ?? `${offeredTool.name} (from ${server.name})`,
            inputSchema: jsonSchema(offeredTool.inputSchema as Parameters<typeof jsonSchema>[0]),
            execute: async (input) => {
              const result = await client.callTool({
                name: offeredTool.name,
                arguments: input as Record<string, unknown>,
              });
              if (result.isError) throw new Error(JSON.stringify(result.content).slice(0, 500));
              return result.content;
            },
          });
        }
      } catch (error) {
        throw new McpConnectionError(
          `MCP server "${server.name}" (${redactUrl(server.url)}) could not be used: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    return { tools, close };
  } catch (error) {
    await close();
    throw error;
  }
}
