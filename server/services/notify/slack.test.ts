import { describe, expect, it } from "vitest";
import type { Notice } from "./notice";
import { SLACK_TEXT_LIMIT, slackText } from "./slack";

const link = "https://console.example.com/runs/0b7f0c1e-8a55-4f4e-9a2b-3f1d2c4b5a69";
const deliverable = (text: string, withLink: boolean): Notice => ({
  id: "d-1",
  type: "run.complete",
  subject: "Weekly report completed",
  text,
  textFormat: "markdown",
  facts: {},
  link: withLink ? link : null,
});
/** Numbered lines, each with a link, so a cut inside a line would show as a broken one. */
const lines = (count: number) =>
  Array.from({ length: count }, (_, i) => `- line ${i} [source](https://example.com/${i})`).join(
    "\n",
  );

describe("Slack message text", () => {
  it("sends a deliverable within the limit whole", () => {
    const text = slackText(deliverable(lines(10), true));
    expect(text).toBe(
      `*Weekly report completed*\n${Array.from({ length: 10 }, (_, i) => `• line ${i} <https://example.com/${i}|source>`).join("\n")}`,
    );
    expect(text).not.toContain("truncated");
  });

  it("cuts a deliverable over the limit at a line's end and links the run for the rest", () => {
    const text = slackText(deliverable(lines(2_000), true));
    expect(text.length).toBeLessThanOrEqual(SLACK_TEXT_LIMIT);
    expect(text.endsWith(`\n… (truncated) — full result: <${link}|the run>`)).toBe(true);
    const body = text.split("\n").slice(1, -1);
    expect(body.length).toBeGreaterThan(100);
    // Every kept line is whole: its link closed, numbered in order from the first.
    body.forEach((line, i) => expect(line).toBe(`• line ${i} <https://example.com/${i}|source>`));
  });

  it("closes a code block the cut left open, and says it was cut without a link when none is configured", () => {
    const code = ["```", ...Array.from({ length: 5_000 }, (_, i) => `row ${i}`), "```"].join("\n");
    const text = slackText(deliverable(code, false));
    expect(text.length).toBeLessThanOrEqual(SLACK_TEXT_LIMIT);
    expect(text.endsWith("\n```\n… (truncated)")).toBe(true);
    expect((text.match(/```/g) ?? []).length % 2).toBe(0);
  });
});
