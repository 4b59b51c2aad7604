import type { Metadata } from "next";
import { McpServerList } from "@/components/mcp-servers/mcp-server-list";

export const metadata: Metadata = { title: "MCP servers" };

export default function McpServersPage() {
  return <McpServerList />;
}
