import { describe, expect, it } from "vitest";
import { redactSnapshotUrls, redactUrl } from "./redact-url";

describe("redactUrl", () => {
  it("keeps only scheme, host and port: never userinfo, path, query or fragment", () => {
    expect(redactUrl("https://bot:s3cret@mcp.example.com/mcp?token=abc&token=def&mode=x")).toBe(
      "https://mcp.example.com",
    );
    expect(redactUrl("https://mcp.example.com/s/sk_live_path_secret/mcp")).toBe(
      "https://mcp.example.com",
    );
    expect(redactUrl("https://mcp.example.com:8443/mcp#access_token=frag_secret")).toBe(
      "https://mcp.example.com:8443",
    );
    expect(redactUrl("http://127.0.0.1:9000/mcp")).toBe("http://127.0.0.1:9000");
    expect(redactUrl("http://[::1]:9000/mcp")).toBe("http://[::1]:9000");
    expect(redactUrl("not a url ?token=abc")).toBe("(invalid URL)");
  });

  it("is the same whether applied once or again, so stored snapshots can be redacted when read", () => {
    const url = "https://u:p@mcp.example.com/s/secret/mcp?k=v#f";
    expect(redactUrl(redactUrl(url))).toBe(redactUrl(url));
  });

  it("redacts the MCP server URLs of a run's config snapshot, including ones stored with their path", () => {
    const snapshot = {
      model: "openai:gpt-4.1-mini",
      mcpServers: [
        { id: "a", name: "tickets", url: "https://mcp.example.com/s/secret/mcp?token=redacted" },
      ],
    };
    expect(redactSnapshotUrls(snapshot)).toEqual({
      model: "openai:gpt-4.1-mini",
      mcpServers: [{ id: "a", name: "tickets", url: "https://mcp.example.com" }],
    });
    expect(JSON.stringify(redactSnapshotUrls(snapshot))).not.toContain("secret");
    expect(redactSnapshotUrls(null)).toBeNull();
    expect(redactSnapshotUrls({ model: "x" })).toEqual({ model: "x" });
  });
});
