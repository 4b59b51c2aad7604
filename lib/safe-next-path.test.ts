import { describe, expect, it } from "vitest";
import { safeNextPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it("keeps a path on this site, with its query", () => {
    expect(safeNextPath("/invite/abc_DEF-123")).toBe("/invite/abc_DEF-123");
    expect(safeNextPath("/runs?status=failed#top")).toBe("/runs?status=failed#top");
  });

  it("sends anything else to the fallback", () => {
    for (const next of [
      null,
      "",
      "skills",
      "https://evil.test/",
      "//evil.test/x",
      "/\\evil.test",
      "/\\/evil.test",
      "\\\\evil.test",
      "/\tevil",
      "javascript:alert(1)",
    ]) {
      expect({ next, to: safeNextPath(next) }).toEqual({ next, to: "/skills" });
    }
  });
});
