import { describe, expect, it } from "vitest";
import { markdownEmailHtml, markdownToMrkdwn } from "./markdown";

describe("markdownEmailHtml", () => {
  it("renders GFM: headings, emphasis, links, lists, tables and code", () => {
    const html = markdownEmailHtml(
      [
        "# Report",
        "",
        "**Bold** and _it_, ~~gone~~, [docs](https://example.com/d).",
        "",
        "- one",
        "- two",
        "",
        "| a | b |",
        "| - | - |",
        "| 1 | 2 |",
        "",
        "```",
        "x < y",
        "```",
      ].join("\n"),
    );
    expect(html).toContain("<h1>Report</h1>");
    expect(html).toContain("<strong>Bold</strong> and <em>it</em>, <del>gone</del>");
    expect(html).toContain('<a href="https://example.com/d">docs</a>');
    expect(html).toContain("<li>one</li>");
    expect(html).toContain("<td>1</td>");
    expect(html).toContain("<code>x &lt; y\n</code>");
    expect(html.startsWith("<!doctype html>")).toBe(true);
  });

  it("shows raw HTML as text and drops a javascript: link's URL", () => {
    const html = markdownEmailHtml(
      '<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror="y">',
    );
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain("<img");
  });
});

describe("markdownToMrkdwn", () => {
  it("turns headings and bold into *bold*, emphasis into _it_, links into <url|text>", () => {
    expect(
      markdownToMrkdwn(
        "## Summary\n\n**All** good, _mostly_; see [the board](https://example.com/b?x=1|2) or https://example.com.",
      ),
    ).toBe(
      "*Summary*\n\n*All* good, _mostly_; see <https://example.com/b?x=1%7C2|the board> or <https://example.com>.",
    );
  });

  it("bullets lists (nested indented), keeps code as code, quotes, and escapes &, < and >", () => {
    expect(
      markdownToMrkdwn(
        "- one\n  - inner\n- two & <three>\n\n1. first\n2. second\n\n> quoted\n\n`a<b`\n\n```\nif a > b\n```",
      ),
    ).toBe(
      [
        "• one\n    • inner",
        "• two &amp; &lt;three&gt;",
        "",
        "1. first\n2. second",
        "",
        "> quoted",
        "",
        "`a&lt;b`",
        "",
        "```\nif a &gt; b\n```",
      ].join("\n"),
    );
  });
  it("never turns a link into a Slack mention or command: only web and mail links are links", () => {
    const text = markdownToMrkdwn(
      "[hi](!channel) [you](@U123) ![x](!here) [site](https://example.com)",
    );
    expect(text).not.toMatch(/<[!@]/);
    expect(text).toContain("<https://example.com|site>");
  });
});
