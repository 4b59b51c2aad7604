import { describe, expect, it } from "vitest";
import type { ModelFailureDetail } from "@/lib/model-failure";
import { FAILURE_HINTS, failureHint } from "./failure-hints";

const detail = (overrides: Partial<ModelFailureDetail>): ModelFailureDetail => ({
  model: "openai:gpt-4.1-mini",
  httpStatus: 500,
  attempts: 1,
  retryAfterSeconds: null,
  credentialSettings: ["OPENAI_API_KEY"],
  ...overrides,
});
const finishedAt = new Date("2026-12-05T10:00:00Z");
const hint = (overrides: Partial<ModelFailureDetail>) =>
  failureHint({ failureCode: "model_error", failureDetail: detail(overrides), finishedAt });

describe("failureHint", () => {
  it("names the credential setting to fix for 401 and 403, and the model for 403", () => {
    expect(hint({ httpStatus: 401 })).toMatch(
      /^The provider rejected the credentials\. Fix OPENAI_API_KEY,/,
    );
    expect(hint({ httpStatus: 403 })).toContain(
      "OPENAI_API_KEY are not allowed to use openai:gpt-4.1-mini",
    );
    expect(
      hint({ httpStatus: 401, credentialSettings: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] }),
    ).toContain("Fix AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  });

  it("says when to re-run after a rate limit, from the provider's Retry-After", () => {
    const expected = new Intl.DateTimeFormat("en", { timeStyle: "medium" }).format(
      new Date(finishedAt.getTime() + 120_000),
    );
    expect(hint({ httpStatus: 429, retryAfterSeconds: 120 })).toContain(
      `asked for 120 s: re-run after ${expected}`,
    );
    expect(hint({ httpStatus: 429 })).toContain("re-run in a minute");
  });

  it("puts a 5xx on the provider, a missing answer on the network and other refusals on the request", () => {
    expect(hint({ httpStatus: 503, attempts: 3 })).toMatch(
      /^The provider itself failed \(HTTP 503 on 3 attempts\); nothing in Skillrun needs changing/,
    );
    expect(hint({ httpStatus: null })).toMatch(/got no answer from the provider/);
    expect(hint({ httpStatus: 404 })).toMatch(
      /refused the request \(HTTP 404\)\. Check that openai:gpt-4\.1-mini/,
    );
  });

  it("falls back to the code's hint without detail, and for every other code", () => {
    expect(failureHint({ failureCode: "model_error", failureDetail: null, finishedAt })).toBe(
      FAILURE_HINTS.model_error,
    );
    expect(failureHint({ failureCode: "timeout", failureDetail: null, finishedAt })).toBe(
      FAILURE_HINTS.timeout,
    );
  });
});
