/**
 * Conformance: features the engine does not implement answer 501 naming the feature, so the
 * SDK's error says what is missing (durable endpoints, connect, realtime, signals, extended
 * traces), while the routes it does serve next to them keep working.
 */
import { describe, expect, it } from "vitest";
import { setupEngine } from "./harness";

const t = setupEngine();

describe("unsupported features", () => {
  it.each([
    ["POST", "/v1/checkpoint", /durable endpoints/],
    ["POST", "/v1/checkpoint/01ARZ3NDEKTSV4RRFFQ69G5FAV/steps", /durable endpoints/],
    ["GET", "/v1/http/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV/output", /durable endpoints/],
    ["POST", "/v0/connect/start", /connect\(\) workers/],
    ["POST", "/v1/realtime/publish", /realtime/],
    ["POST", "/v1/signals", /signals/],
    ["POST", "/v1/traces/userland", /extended traces/],
  ])("%s %s → 501 naming the feature", async (method, path, feature) => {
    const answer = await t.api<{ error?: string; status?: number }>(path, {
      method,
      body: method === "POST" ? "{}" : undefined,
    });
    expect(answer.httpStatus).toBe(501);
    expect(answer.body.status).toBe(501);
    expect(answer.body.error).toMatch(feature);
    expect(answer.body.error).toMatch(/not supported by the embedded Inngest engine/);
  });

  it("the async checkpoint route is still served (400 for a body that does not parse), other paths 404", async () => {
    const checkpoint = await t.api<unknown>("/v1/checkpoint/01ARZ3NDEKTSV4RRFFQ69G5FAV/async", {
      method: "POST",
      body: "{}",
    });
    expect(checkpoint.httpStatus).toBe(400);
    expect((await t.api<unknown>("/v1/nothing-here")).httpStatus).toBe(404);
  });
});
