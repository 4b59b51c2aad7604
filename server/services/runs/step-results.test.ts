import { describe, expect, it } from "vitest";
import { MAX_DELIVERABLE_BYTES } from "@/server/agent/turn";
import { ZERO_USAGE } from "@/server/agent/usage";
import { MAX_FAILURE_REASON_CHARS } from "./run-lifecycle";
import { readStepFlag, turnOutcomeSchema, UnreadableStepResultError } from "./step-results";

const usage = {
  inputTokens: 40,
  outputTokens: 25,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 3,
  costUsd: "0.000056",
};
const detail = {
  model: "openai:gpt-4.1-mini",
  httpStatus: 429,
  attempts: 3,
  retryAfterSeconds: 120,
  credentialSettings: ["OPENAI_API_KEY"],
};

const accepts = (value: unknown) => turnOutcomeSchema.safeParse(value).success;

describe("turnOutcomeSchema: what finish reads back from the agent-turn step", () => {
  it("accepts every outcome the turn returns", () => {
    expect(accepts({ kind: "complete", markdown: "# Brief", usage })).toBe(true);
    expect(
      accepts({
        kind: "complete",
        markdown: "# Brief",
        usage: ZERO_USAGE,
        masked: { phone: 2, email: 1 },
      }),
    ).toBe(true);
    expect(
      accepts({
        kind: "complete",
        markdown: "x".repeat(MAX_DELIVERABLE_BYTES),
        usage: { ...usage, costUsd: null },
      }),
    ).toBe(true);
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "The model provider rate-limited the call (HTTP 429)",
        usage,
        detail,
      }),
    ).toBe(true);
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "no answer",
        usage,
        detail: { ...detail, httpStatus: null, retryAfterSeconds: null, credentialSettings: [] },
      }),
    ).toBe(true);
    expect(
      accepts({
        kind: "failed",
        code: "interrupted",
        reason: "r".repeat(MAX_FAILURE_REASON_CHARS),
        usage: ZERO_USAGE,
      }),
    ).toBe(true);
    expect(accepts({ kind: "cancelled", usage: ZERO_USAGE })).toBe(true);
  });

  // The review's H2 body: a usage object carrying columns it has no business naming.
  it("refuses keys it does not name, at every level", () => {
    expect(
      accepts({
        kind: "complete",
        markdown: "x",
        usage: {
          tenantId: "other",
          status: "complete",
          deliverable: { payload: "y" },
          turnStartedAt: null,
        },
      }),
    ).toBe(false);
    expect(
      accepts({ kind: "complete", markdown: "x", usage: { ...usage, tenantId: "other" } }),
    ).toBe(false);
    expect(accepts({ kind: "complete", markdown: "x", usage, tenantId: "other" })).toBe(false);
    expect(accepts({ kind: "complete", markdown: "x", usage, masked: { phone: 1, ssn: 2 } })).toBe(
      false,
    );
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "r",
        usage,
        detail: { ...detail, status: "complete" },
      }),
    ).toBe(false);
    expect(accepts({ kind: "cancelled", usage, markdown: "x" })).toBe(false);
    expect(accepts({ kind: "finished", usage })).toBe(false);
  });

  it("takes token counts only as non-negative whole numbers that fit the integer columns, and a cost as the column's fixed-point text", () => {
    for (const inputTokens of [-1, 1.5, 2 ** 31, "40", null, Number.NaN])
      expect({
        inputTokens,
        accepted: accepts({ kind: "cancelled", usage: { ...usage, inputTokens } }),
      }).toEqual({ inputTokens, accepted: false });
    for (const costUsd of ["1e5", "0.1", 0.5, "-0.000001", "123456789.000000"])
      expect({
        costUsd,
        accepted: accepts({ kind: "cancelled", usage: { ...usage, costUsd } }),
      }).toEqual({ costUsd, accepted: false });
    expect(accepts({ kind: "cancelled", usage: { ...usage, inputTokens: 2 ** 31 - 1 } })).toBe(
      true,
    );
  });

  it("bounds the deliverable to 1 MB of UTF-8 and the reason to its column's limit, and refuses empty ones", () => {
    // 600,000 characters, 1.2 MB: the limit is in bytes, as the turn measures it.
    expect(accepts({ kind: "complete", markdown: "é".repeat(600_000), usage })).toBe(false);
    expect(
      accepts({ kind: "complete", markdown: "x".repeat(MAX_DELIVERABLE_BYTES + 1), usage }),
    ).toBe(false);
    expect(accepts({ kind: "complete", markdown: "", usage })).toBe(false);
    expect(
      accepts({
        kind: "failed",
        code: "timeout",
        reason: "r".repeat(MAX_FAILURE_REASON_CHARS + 1),
        usage,
      }),
    ).toBe(false);
    expect(accepts({ kind: "failed", code: "timeout", reason: "", usage })).toBe(false);
  });

  it("takes failure codes a turn can end with, and nothing else", () => {
    for (const code of ["dispatch_lost", "stale_running", "no_agent", "anything"])
      expect({ code, accepted: accepts({ kind: "failed", code, reason: "r", usage }) }).toEqual({
        code,
        accepted: false,
      });
  });

  it("bounds the failure detail and the mask counts", () => {
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "r",
        usage,
        detail: { ...detail, httpStatus: 42 },
      }),
    ).toBe(false);
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "r",
        usage,
        detail: { ...detail, attempts: 4 },
      }),
    ).toBe(false);
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "r",
        usage,
        detail: { ...detail, retryAfterSeconds: -1 },
      }),
    ).toBe(false);
    expect(
      accepts({
        kind: "failed",
        code: "model_error",
        reason: "r",
        usage,
        detail: { ...detail, credentialSettings: ["not a variable"] },
      }),
    ).toBe(false);
    expect(accepts({ kind: "complete", markdown: "x", usage, masked: { phone: 0 } })).toBe(false);
    expect(accepts({ kind: "complete", markdown: "x", usage, masked: { phone: 1.5 } })).toBe(false);
  });

  it("refuses text PostgreSQL cannot store", () => {
    expect(accepts({ kind: "complete", markdown: "a\u0000b", usage })).toBe(false);
    expect(accepts({ kind: "failed", code: "agent_crashed", reason: "half \ud800", usage })).toBe(
      false,
    );
  });
});

describe("readStepFlag", () => {
  it("passes a boolean through and refuses anything else", () => {
    expect(readStepFlag("mark-running", true)).toBe(true);
    expect(readStepFlag("mark-running", false)).toBe(false);
    for (const forged of ["yes", 1, null, undefined, {}, [true]])
      expect(() => readStepFlag("resolve-config", forged)).toThrow(UnreadableStepResultError);
    expect(() => readStepFlag("resolve-config", "true")).toThrow(
      "the resolve-config step's result could not be read",
    );
  });
});
