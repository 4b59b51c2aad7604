/**
 * A URL fit to show and store: credentials in the userinfo and every query value are
 * replaced, since operators paste tokens into MCP server URLs.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "(invalid URL)";
  }
  if (url.username) url.username = "redacted";
  if (url.password) url.password = "redacted";
  for (const key of [...new Set(url.searchParams.keys())]) url.searchParams.set(key, "redacted");
  return url.toString();
}
