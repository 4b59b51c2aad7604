import { describe, expect, it } from "vitest";
import {
  MAX_MODEL_ATTEMPTS,
  MAX_RETRY_WAIT_MS,
  retryAfterMs,
  retryDelay,
  type ModelCallFailure,
} from "./model-retry";

const failure = (
  httpStatus: number | null,
  retryAfter: number | null = null,
): ModelCallFailure => ({ httpStatus, retryAfterMs: retryAfter, message: "x" });
const PLENTY = 10 * 60_000;

describe("retryAfterMs", () => {
  const now = Date.parse("2026-12-05T10:00:00Z");
  it.each([
    [{ "retry-after": "20" }, 20_000],
    [{ "Retry-After": "1.5" }, 1_500],
    [{ "retry-after-ms": "250", "retry-after": "20" }, 250],
    [{ "retry-after": "Sat, 05 Dec 2026 10:00:30 GMT" }, 30_000],
    [{ "retry-after": "Sat, 05 Dec 2026 09:59:00 GMT" }, 0],
    [{ "retry-after": "soon" }, null],
    [{ "retry-after-ms": "-5" }, null],
    [{}, null],
    [undefined, null],
  ])("%j → %s", (headers, expected) => {
    expect(retryAfterMs(headers, now)).toBe(expected);
  });
});

describe("retryDelay", () => {
  it.each([400, 401, 403, 404, 422])(
    "never repeats a call the provider refused (HTTP %i)",
    (status) => {
      expect(retryDelay(failure(status), 1, PLENTY)).toBeNull();
    },
  );

  it("retries rate limits, provider failures and calls that got no answer, backing off 1 s then 2 s", () => {
    for (const status of [429, 500, 502, 503, 529, null]) {
      expect(retryDelay(failure(status), 1, PLENTY)).toBe(1_000);
      expect(retryDelay(failure(status), 2, PLENTY)).toBe(2_000);
    }
  });

  it(`stops after ${MAX_MODEL_ATTEMPTS} attempts`, () => {
    expect(retryDelay(failure(503), MAX_MODEL_ATTEMPTS, PLENTY)).toBeNull();
  });

  it("waits what the provider asks, up to a minute, and only if the turn has the time", () => {
    expect(retryDelay(failure(429, 20_000), 1, PLENTY)).toBe(20_000);
    expect(retryDelay(failure(429, 0), 1, PLENTY)).toBe(0);
    expect(retryDelay(failure(429, MAX_RETRY_WAIT_MS + 1), 1, PLENTY)).toBeNull();
    expect(retryDelay(failure(429, 20_000), 1, 20_000)).toBeNull();
    expect(retryDelay(failure(503), 1, 500)).toBeNull();
  });
});
