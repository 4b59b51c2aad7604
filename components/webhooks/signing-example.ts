import { pointerSegments, type Json, type JsonObject } from "@hyperjump/json-pointer";
import type { WebhookInputMapping } from "@/lib/schemas/webhooks";
import type { InputField } from "@/lib/skill-inputs";

const SAMPLE: Record<InputField["kind"], (field: InputField) => Json> = {
  text: (field) => `Example ${field.title.toLowerCase()}`,
  textarea: (field) => `Example ${field.title.toLowerCase()}`,
  integer: (field) => field.minimum ?? 1,
  number: (field) => field.minimum ?? 1,
  boolean: () => true,
  enum: (field) => field.options?.[0] ?? "",
  date: () => "2026-01-31",
  "date-time": () => "2026-01-31T09:00:00Z",
  "string-list": () => ["example"],
  json: () => ({}),
};

/** A payload the mapping reads: each mapped input's pointer set to a value of the input's kind. */
export function examplePayload(fields: InputField[], mapping: WebhookInputMapping): JsonObject {
  const payload: JsonObject = {};
  for (const field of fields) {
    const pointer = mapping[field.name]?.pointer;
    if (!pointer) continue;
    let segments: string[];
    try {
      segments = [...pointerSegments(pointer)];
    } catch {
      continue;
    }
    const last = segments.pop();
    if (last === undefined) continue;
    let parent: JsonObject | null = payload;
    for (const segment of segments) {
      const next: Json | undefined = parent[segment];
      if (next === undefined) parent = parent[segment] = {};
      else parent = typeof next === "object" && next !== null && !Array.isArray(next) ? next : null;
      // Another input already put a value on this path: leave this one out of the example.
      if (!parent) break;
    }
    if (parent && parent[last] === undefined) parent[last] = SAMPLE[field.kind](field);
  }
  return payload;
}

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * A shell snippet that signs `body` the way the receiver checks it and posts it: HMAC-SHA256
 * of "<t>.<body>" with the secret from $SKILLRUN_WEBHOOK_SECRET, via openssl and curl.
 */
export function curlExample(url: string, body: string): string {
  return [
    "# export SKILLRUN_WEBHOOK_SECRET=whsec_… (shown once when the webhook was created or its secret rotated)",
    `body=${shellQuote(body)}`,
    "t=$(date +%s)",
    `sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$SKILLRUN_WEBHOOK_SECRET" -r | cut -d' ' -f1)`,
    `curl -sS -X POST ${shellQuote(url)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -H "Skillrun-Signature: t=$t,v1=$sig" \\`,
    `  -H "Skillrun-Delivery-Id: $(openssl rand -hex 16)" \\`,
    `  --data "$body"`,
  ].join("\n");
}
