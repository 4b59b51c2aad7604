import "server-only";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { dynamicTool, jsonSchema, type ToolSet } from "ai";
import { env } from "@/server/env";
import {
  checkOutboundUrl,
  outboundFetch,
  OutboundUrlRefusedError,
  type OutboundPolicy,
} from "@/server/net/outbound-url";
import { redactUrl } from "./redact-url";

export type McpServerConnection = { name: string; url: string; authToken: string | null };

export class McpConnectionError extends Error {
  readonly code = "mcp_unreachable";
  constructor(
    message: string,
    /** Why, without naming the server: "it answered HTTP 401". */
    readonly reason: string,
  ) {
    super(message);
  }
}

function portOf(url: string | undefined): number | null {
  if (!url || !URL.canParse(url)) return null;
  const parsed = new URL(url);
  return parsed.port ? Number(parsed.port) : null;
}

/** The ports this deployment's own services listen on, by name (null entries: not configured). */
function ownServices(): { port: number; name: string }[] {
  const candidates: [number | null, string][] = [
    [env.PORT, "web app"],
    [env.SKILLRUN_ENGINE_PORT, "Inngest engine"],
    [env.SKILLRUN_PG_PORT, "database"],
    [portOf(env.DATABASE_URL), "database"],
    [portOf(env.INNGEST_BASE_URL), "Inngest server"],
  ];
  return candidates.flatMap(([port, name]) => (port === null ? [] : [{ port, name }]));
}

/**
 * Where MCP servers may be: public addresses over https; this machine too when
 * SKILLRUN_ALLOW_LOCAL_MCP is set, except the ports of Skillrun's own services.
 */
export const mcpOutboundPolicy = (): OutboundPolicy => ({
  allowLoopback: env.SKILLRUN_ALLOW_LOCAL_MCP,
  ownServices: ownServices(),
});

const CONNECT_TIMEOUT_MS = 10_000;

class McpTimeoutError extends Error {}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new McpTimeoutError(`${what} did not answer within ${ms / 1000} s`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why a connection failed, in words a run's failure reason can carry. Never the server's own
 * text (an error page, a JSON-RPC message): viewers read failure reasons, so echoing it would
 * hand whoever set the URL a copy of whatever answered there.
 */
export function describeFailure(error: unknown): string {
  for (
    let current: unknown = error, depth = 0;
    current instanceof Error && depth < 5;
    current = current.cause, depth++
  ) {
    if (current instanceof OutboundUrlRefusedError || current instanceof McpTimeoutError)
      return current.message.replace(/\.$/, "");
    if (current instanceof StreamableHTTPError)
      return current.code && current.code > 0
        ? `it answered HTTP ${current.code}`
        : "it did not answer as an MCP server";
    if (current instanceof McpError) return `it answered with MCP error ${current.code}`;
    const systemCode = "code" in current && typeof current.code === "string" ? current.code : null;
    if (systemCode) return `the connection failed (${systemCode})`;
  }
  return "the connection failed";
}

type OfferedTool = Awaited<ReturnType<Client["listTools"]>>["tools"][number];

/** A connected client and the tools its server offers; the caller closes the client. */
async function openServer(
  server: McpServerConnection,
  policy: OutboundPolicy,
): Promise<{ client: Client; offered: OfferedTool[] }> {
  const client = new Client({ name: "skillrun", version: "1.0.0" });
  try {
    const url = await checkOutboundUrl(server.url, policy);
    const transport = new StreamableHTTPClientTransport(url, {
      fetch: outboundFetch(policy),
      requestInit: server.authToken
        ? { headers: { Authorization: `Bearer ${server.authToken}` } }
        : undefined,
    });
    await withTimeout(client.connect(transport), CONNECT_TIMEOUT_MS, `MCP server "${server.name}"`);
    const { tools: offered } = await withTimeout(
      client.listTools(),
      CONNECT_TIMEOUT_MS,
      `MCP server "${server.name}"`,
    );
    return { client, offered };
  } catch (error) {
    await client.close().catch(() => {});
    const reason = describeFailure(error);
    throw new McpConnectionError(
      `MCP server "${server.name}" (${redactUrl(server.url)}) could not be used: ${reason}.`,
      reason,
    );
  }
}

/**
 * Connects to the agent's MCP servers (Streamable HTTP) and offers their tools to the model,
 * minus blocked ones. Every URL passes the outbound check, on each request and each connection
 * (see server/net/outbound-url.ts). A server that cannot be reached or is refused fails the turn
 * with a clear reason instead of hanging. The auth token is sent as a bearer header and never
 * leaves the server.
 */
export async function connectMcpTools(
  servers: McpServerConnection[],
  blockedTools: string[],
  policy: OutboundPolicy = mcpOutboundPolicy(),
): Promise<{
  tools: ToolSet;
  /** The server that offers each tool, by tool name (for `server:tool` approval patterns). */
  serverOf: Record<string, string>;
  close: () => Promise<void>;
}> {
  const clients: Client[] = [];
  const tools: ToolSet = {};
  const serverOf: Record<string, string> = {};
  const close = async () => {
    await Promise.allSettled(clients.map((client) => client.close()));
  };
  try {
    for (const server of servers) {
      const { client, offered } = await openServer(server, policy);
      clients.push(client);
      for (const offeredTool of offered) {
        if (blockedTools.includes(offeredTool.name) || offeredTool.name in tools) continue;
        serverOf[offeredTool.name] = server.name;
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
    }
    return { tools, serverOf, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The tools one server offers (name and description), for "Test connection": the same checks,
 * timeout and failure wording as a run's connection.
 */
export async function listMcpServerTools(
  server: McpServerConnection,
  policy: OutboundPolicy = mcpOutboundPolicy(),
): Promise<{ name: string; description: string | null }[]> {
  const { client, offered } = await openServer(server, policy);
  await client.close().catch(() => {});
  return offered.map((tool) => ({ name: tool.name, description: tool.description ?? null }));
}
