/**
 * When evaluate-alerts judges the rules: the cron minute unless SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS
 * (the e2e app's shorter clock) says otherwise, and a bad value stops the app at startup.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { nextCronTick } from "@/inngest/engine/cron-schedule";
import { alertClockWarning, validateEnv } from "@/server/env-definition";
import { alertEvaluationCron } from "./evaluate-alerts";

describe("alertEvaluationCron", () => {
  it("is every minute when no interval is set", () => {
    expect(alertEvaluationCron(undefined)).toBe("* * * * *");
  });

  it("ticks every given number of seconds on the engine's clock", () => {
    const expression = alertEvaluationCron(5);
    const first = nextCronTick(expression, new Date("2026-12-06T08:00:01Z"));
    expect(first).toEqual(new Date("2026-12-06T08:00:05Z"));
    expect(nextCronTick(expression, first ?? new Date(0))).toEqual(
      new Date("2026-12-06T08:00:10Z"),
    );
  });
});

describe("the environment check of SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS", () => {
  afterEach(() => vi.unstubAllEnvs());

  function checkWith(value: string) {
    vi.stubEnv("SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS", value);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      return { value: validateEnv({ building: false }).SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS };
    } catch (error) {
      return { error, logged: JSON.stringify(errors.mock.calls) };
    } finally {
      errors.mockRestore();
    }
  }

  it("reads whole seconds under a minute, and nothing when unset", () => {
    expect(checkWith("5")).toEqual({ value: 5 });
    expect(checkWith("")).toEqual({ value: undefined });
  });

  it("refuses anything else, naming the variable", () => {
    for (const value of ["0", "60", "2.5", "soon"]) {
      const refused = checkWith(value);
      expect(refused.error, value).toEqual(new Error("Invalid environment variables"));
      expect(refused.logged, value).toContain("SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS");
    }
  });
});

describe("alertClockWarning", () => {
  it("names the shortened clock as a test setting, and says nothing when unset", () => {
    expect(alertClockWarning(5)).toBe(
      "alert rules judged every 5 s (SKILLRUN_ALERTS_EVALUATE_EVERY_SECONDS) — a test setting",
    );
    expect(alertClockWarning(undefined)).toBeNull();
  });
});
