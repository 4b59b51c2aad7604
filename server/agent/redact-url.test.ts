import { describe, expect, it } from "vitest";
import { redactUrl } from "./redact-url";

describe("redactUrl", () => {
  it("keeps the host and path and hides credentials and query values", () => {
    expect(redactUrl("https://bot:s3cret@mcp.example.com/mcp?token=abc&token=def&mode=x")).toBe("https://redacted:redacted@mcp.example.com/mcp?token=redacted&mode=redacted");
    expect(redactUrl("http://127.0.0.1:9000/mcp")).toBe("http://127.0.0.1:9000/mcp");
    expect(redactUrl("not a url ?token=abc")).toBe("(invalid URL)");
  });
});
