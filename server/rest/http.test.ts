import { describe, expect, it } from "vitest";
import { parseJson } from "./http";

const parse = (text: string) => parseJson(Buffer.from(text, "utf8"));

describe("parseJson", () => {
  it("takes JSON whose strings PostgreSQL can store, surrogate pairs included", () => {
    expect(parse('{"title":"\\ud83d\\ude00 ok","tags":["é"]}')).toEqual({ ok: true, value: { title: "😀 ok", tags: ["é"] } });
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
    expect(((await parsed.response.json()) as { error: { code: string } }).error.code).toBe("malformed_json");
  });
});
