import { describe, expect, it } from "vitest";
import type { GuardrailRules } from "./config";
import { checkText } from "./guardrail";
import { liveOutputOf } from "./live-output";

const rules = (overrides: Partial<GuardrailRules> = {}): GuardrailRules => ({
  deniedTerms: [],
  deniedPatterns: [],
  pii: "mask",
  maxDeliverableChars: null,
  ...overrides,
});

/** Every prefix of `text`, as the model's stream may have written it so far. */
const prefixes = (text: string) =>
  Array.from({ length: text.length + 1 }, (_, end) => text.slice(0, end));

const DELIVERABLE = [
  "# Reply to Lin",
  "",
  "Write to lin.chen@example.com or call (415) 555-2671, or +44 20 7946 0958 from abroad.",
  "The card on file is 4111 1111 1111 1111 and expires soon.",
  "Order INV-2025-000123 shipped on 2026-12-01.",
].join("\n");

/** What the guardrail removes from the finished deliverable, as written by the model. */
const PERSONAL_DATA = [
  "lin.chen@example.com",
  "(415) 555-2671",
  "+44 20 7946 0958",
  "4111 1111 1111 1111",
];

describe("the live output shows only what the guardrail lets through", () => {
  it("masks the finished deliverable exactly as the guardrail does", () => {
    const final = checkText(rules(), DELIVERABLE, { enforceLength: true });
    expect(final.ok && final.masked).toEqual({ email: 1, phone: 2, payment_card: 1 });
    // Once a word that cannot continue a number follows the last line, all of it is shown.
    expect(liveOutputOf(rules(), `${DELIVERABLE}\nThanks. `)).toEqual({
      text: final.ok ? `${final.text}\nThanks. ` : "",
      withheld: false,
    });
  });

  it("never shows a piece of personal data the deliverable masks, at any point of the stream", () => {
    // The digits and names that identify each item: no prefix of the stream may show them.
    const telltales = ["lin.chen", "example.com", "555", "2671", "7946", "0958", "4111", "1111"];
    let shownBefore = "";
    for (const soFar of prefixes(DELIVERABLE)) {
      const live = liveOutputOf(rules(), soFar);
      expect(live.withheld).toBe(false);
      for (const telltale of telltales) expect(live.text, soFar).not.toContain(telltale);
      // It grows as the model writes: a shown line is never taken back.
      expect(live.text.length).toBeGreaterThanOrEqual(shownBefore.length - 40);
      shownBefore = live.text;
    }
    // Up to the masks, the text is shown as it is written.
    expect(liveOutputOf(rules(), DELIVERABLE).text).toContain("[payment card number removed]");
    expect(
      PERSONAL_DATA.some((item) => liveOutputOf(rules(), DELIVERABLE).text.includes(item)),
    ).toBe(false);
  });

  it("holds back the word being written and a number still being written", () => {
    expect(liveOutputOf(rules(), "Call us at 415").text).toBe("Call us at ");
    expect(liveOutputOf(rules(), "Call us at 415 555").text).toBe("Call us at ");
    expect(liveOutputOf(rules(), "Call us at 415 555 2671 tod").text).toBe("Call us at ");
    expect(liveOutputOf(rules(), "Call us at 415 555 2671 today ").text).toBe(
      "Call us at [phone number removed] today ",
    );
  });

  it("shows nothing once the text so far would be blocked, and never the start of a denied term", () => {
    const denied = rules({ deniedTerms: ["Project Falcon"] });
    for (const soFar of prefixes("Status of Project Falcon: on track.")) {
      const live = liveOutputOf(denied, soFar);
      expect(live.text).not.toMatch(/Project|Falco/);
    }
    expect(liveOutputOf(denied, "Status of Project Falcon")).toEqual({ text: "", withheld: true });
    expect(liveOutputOf(rules({ pii: "block" }), "Mail lin@example.com now")).toEqual({
      text: "",
      withheld: true,
    });
    expect(liveOutputOf(rules({ maxDeliverableChars: 5 }), "Too long a text")).toEqual({
      text: "",
      withheld: true,
    });
  });

  it("with denied patterns, shows only whole lines: a pattern may match across words", () => {
    const patterns = rules({ deniedPatterns: ["secret\\s+plan\\s+\\d+"] });
    expect(liveOutputOf(patterns, "# Notes\n\nThe secret plan").text).toBe("# Notes\n\n");
    expect(liveOutputOf(patterns, "# Notes\n\nThe secret plan 9")).toEqual({
      text: "",
      withheld: true,
    });
  });

  it("without a guardrail, shows the text as written, leading blank lines aside", () => {
    expect(liveOutputOf(null, "\n\n# Title\n\nmail lin@example.com")).toEqual({
      text: "# Title\n\nmail lin@example.com",
      withheld: false,
    });
  });
});

describe("the held-back tail", () => {
  it("ends at a word's start, far enough back for the longest denied term", () => {
    const denied = rules({ deniedTerms: ["internal-only"] });
    expect(liveOutputOf(denied, "Your parcel left our depot on Monday morning ").text).toBe(
      "Your parcel left our depot on ",
    );
  });
});
