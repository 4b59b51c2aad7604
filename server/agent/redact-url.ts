import "server-only";

import type { AgentRuntimeConfig } from "./config";

/**
 * A URL fit to show and store: scheme, host and port only. Operators paste tokens into MCP
 * server URLs wherever the server takes them (userinfo, a path segment such as
 * `/s/<secret>/mcp`, the query, the fragment), so nothing after the authority is kept.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(invalid URL)";
  }
  return `${url.protocol}//${url.host}`;
}

/** A snapshot as stored: a run keeps the one written when it started, so an old one may lack newer fields. */
export type StoredConfigSnapshot = Partial<AgentRuntimeConfig>;

/**
 * A run's config snapshot with its MCP server URLs redacted as above: snapshots stored before
 * redaction dropped the path still hold it, and they are shown to every viewer of the run.
 */
export function redactSnapshotUrls(
  snapshot: StoredConfigSnapshot | null,
): StoredConfigSnapshot | null {
  if (!snapshot?.mcpServers) return snapshot;
  return {
    ...snapshot,
    mcpServers: snapshot.mcpServers.map((server) => ({ ...server, url: redactUrl(server.url) })),
  };
}
