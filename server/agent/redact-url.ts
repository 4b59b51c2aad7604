import "server-only";

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

/**
 * A run's config snapshot with its MCP server URLs redacted as above: snapshots stored before
 * redaction dropped the path still hold it, and they are shown to every viewer of the run.
 */
export function redactSnapshotUrls(snapshot: unknown): unknown {
  if (
    !snapshot ||
    typeof snapshot !== "object" ||
    !("mcpServers" in snapshot) ||
    !Array.isArray(snapshot.mcpServers)
  )
    return snapshot;
  return {
    ...snapshot,
    mcpServers: snapshot.mcpServers.map((server: unknown) =>
      server && typeof server === "object" && "url" in server && typeof server.url === "string"
        ? { ...server, url: redactUrl(server.url) }
        : server,
    ),
  };
}
