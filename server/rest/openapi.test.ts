import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";

describe("OpenAPI document", () => {
  it("describes every route with schemas generated from the handlers' zod schemas", () => {
    const document = openApiDocument("https://skillrun.example.com");
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths)).toEqual([
      "/runs",
      "/runs/export",
      "/runs/{id}",
      "/runs/{id}/tags",
      "/runs/{id}/cancel",
      "/runs/{id}/approve",
      "/runs/{id}/reject",
    ]);
    const start = new Validator(
      document.components.schemas.StartRunRequest as ConstructorParameters<typeof Validator>[0],
      "2020-12",
    );
    expect(start.validate({ skill: "meeting-prep", inputs: { topic: "x" } }).valid).toBe(true);
    expect(start.validate({ skill: "", inputs: {} }).valid).toBe(false);
    expect(start.validate({ skill: "meeting-prep", extra: 1 }).valid).toBe(false);
    expect(start.validate({ skill: "meeting-prep", tags: ["customer:acme"] }).valid).toBe(true);
    expect(start.validate({ skill: "meeting-prep", tags: "customer:acme" }).valid).toBe(false);
    expect(document.paths["/runs"].get.parameters.map((parameter) => parameter.name)).toEqual([
      "status",
      "skill",
      "schedule",
      "webhook",
      "apiKey",
      "tag",
      "q",
      "cursor",
      "limit",
    ]);
    const [status] = document.paths["/runs"].get.parameters;
    const statuses = new Validator(
      status?.schema as ConstructorParameters<typeof Validator>[0],
      "2020-12",
    );
    expect(statuses.validate(["running", "queued"]).valid).toBe(true);
    expect(statuses.validate(["sleeping"]).valid).toBe(false);
  });
});
