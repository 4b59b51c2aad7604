import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { parseJson, unexpectedErrorResponse } from "./http";

const parse = (text: string) => parseJson(Buffer.from(text, "utf8"));

describe("parseJson", () => {
  it("takes JSON whose strings PostgreSQL can store, surrogate pairs included", () => {
    expect(parse('{"title":"\\ud83d\\ude00 ok","tags":["é"]}')).toEqual({
      ok: true,
      value: { title: "😀 ok", tags: ["é"] },
    });
  });

  // Found by the webhook receiver's property test: "\ud800" is valid JSON, but jsonb refuses it,
  // so a signed delivery carrying one was answered 500 and left no log entry.
  it.each([
    ["U+0000 in a value", '{"title":"a\\u0000b"}'],
    ["an unpaired high surrogate", '{"title":"lone \\ud800"}'],
    ["an unpaired low surrogate", '{"extra":["\\udc00"]}'],
    ["an unpaired surrogate in a key", '{"\\udbff":1}'],
    ["a reversed pair", '{"title":"\\ude00\\ud83d"}'],
  ])("answers 400 malformed_json for %s", async (_case, text) => {
    const parsed = parse(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.response.status).toBe(400);
    expect(((await parsed.response.json()) as { error: { code: string } }).error.code).toBe(
      "malformed_json",
    );
  });
});

describe("unexpectedErrorResponse", () => {
  it("answers the generic message with an error id, and logs the SQL text and the driver's message under that id, never the parameters", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const failed = new DrizzleQueryError(
        'insert into "skill_runs" ("inputs") values ($1)',
        ['{"secret":"param-canary"}'],
        new Error("value too long"),
      );
      const response = unexpectedErrorResponse(failed, "REST API");
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(response.status).toBe(500);
      expect(body.error.code).toBe("internal_error");
      const errorId =
        /^Something went wrong \(error id ([0-9a-f]{12})\)\. The details are in the server log\.$/.exec(
          body.error.message,
        )?.[1];
      expect(errorId).toBeDefined();
      const logged = log.mock.calls.map((args) => args.join(" ")).join("\n");
      expect(logged).toContain(
        `[error ${errorId}] REST API: Error: Failed query: insert into "skill_runs" ("inputs") values ($1) (parameters not logged)`,
      );
      expect(logged).toContain("caused by: Error: value too long");
      expect(logged).not.toContain("param-canary");
    } finally {
      log.mockRestore();
    }
  });
});
