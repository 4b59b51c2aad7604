import { describe, expect, it } from "vitest";
import { cannotBeSaved } from "./errors";

describe("cannotBeSaved", () => {
  it("names each field by its label, one message each, with a single full stop at the end", () => {
    expect(
      cannotBeSaved(
        "The MCP server",
        {
          url: ["Port 8288 is the engine's, which the server does not connect to."],
          name: ["is required"],
        },
        { url: "URL", name: "Name" },
      ),
    ).toBe(
      "The MCP server cannot be saved: URL: Port 8288 is the engine's, which the server does not connect to; Name is required.",
    );
  });
});
