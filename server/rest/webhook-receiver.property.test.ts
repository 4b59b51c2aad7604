import { createHmac, randomUUID } from "node:crypto";
import { and, count, eq, inArray } from "drizzle-orm";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  auditLog,
  runEvents,
  skillRuns,
  skills,
  webhookDeliveries,
  webhooks,
  type SkillInputsSchema,
} from "@/server/db/schema";
import type { RunEvent } from "@/inngest/events";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { MAX_BODY_BYTES } from "./http";
import { createWebhookReceiver } from "./webhook-receiver";

/**
 * Property: a webhook request creates a run if and only if it is fully valid, its status is the
 * one the receiver documents, and nothing is written but one delivery-log row per request to a
 * known webhook (plus the run, its first timeline event and its audit entry when accepted).
 * The expected outcome comes from a model of the contract computed from the generated request
 * alone: the signature is checked with our own HMAC, the mapping with our own pointer walk.
 */

const { db } = openTestDatabase();
/** FC_SEED (and FC_PATH) from a failure report replay that failure. */
const replay = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};

const INPUTS_SCHEMA: SkillInputsSchema = {
  type: "object",
  required: ["title", "priority"],
  properties: {
    title: { type: "string", minLength: 3 },
    priority: { type: "integer", minimum: 1, maximum: 5 },
    labels: { type: "array", items: { type: "string" } },
  },
};
const MAPPING = {
  title: { pointer: "/issue/title" },
  priority: { pointer: "/issue/priority", default: 3 },
  labels: { pointer: "/issue/labels" },
};
const TOLERANCE_S = 300;

let tenantId: string;
let skillId: string;
let retiredSkillId: string;
/** Every event the receiver dispatched, in order. */
const sent: RunEvent[] = [];
const dispatcher: RunDispatcher = {
  send: async (events) => {
    const list = Array.isArray(events) ? events : [events];
    sent.push(...list);
    return { ids: list.map((event) => event.id ?? randomUUID()) };
  },
};

beforeAll(async () => {
  const world = await createTenantWithSkill(db, { inputsSchema: INPUTS_SCHEMA });
  tenantId = world.tenant.id;
  skillId = world.skill.id;
  const [retired] = await db
    .insert(skills)
    .values({
      tenantId,
      origin: "tenant",
      slug: `retired-${randomUUID().slice(0, 8)}`,
      name: "Retired",
      description: "Gone.",
      versionHash: "v1",
      ...inputsColumnsOf(INPUTS_SCHEMA),
      instructions: "Do it.",
      referenceFiles: [],
      enabled: false,
    })
    .returning({ id: skills.id });
  retiredSkillId = retired!.id;
});

// ---------------------------------------------------------------------------------------------
// Generators

type World = {
  enabled: boolean;
  skillRetired: boolean;
  rotation: "none" | "grace" | "expired";
  rateLimit: number;
};
type SignatureSpec =
  | { kind: "missing" }
  | { kind: "garbled"; text: string }
  | { kind: "non-numeric-t"; key: "current" }
  | {
      kind: "signed";
      key: "current" | "previous" | "wrong";
      tOffset: number;
      form: "single" | "another-body" | "extra-wrong-v1" | "t-mismatch" | "v1-only";
    };
type DeliveryIdSpec =
  | { kind: "none" }
  | { kind: "fresh" }
  | { kind: "repeat"; pick: number }
  | { kind: "odd"; value: string }
  | { kind: "invalid"; value: string };
type RequestSpec = {
  target: "webhook" | "unknown-uuid" | "not-a-uuid";
  deliveryId: DeliveryIdSpec;
  contentType: string;
  contentLength: "none" | "exact" | "understated" | "over-cap";
  body: string;
  signature: SignatureSpec;
  /** Re-send an earlier request's body and signature header exactly (a captured request), with its own delivery id. */
  copyOf: number | null;
};

const printableAscii = fc
  .integer({ min: 0x21, max: 0x7e })
  .map((code) => String.fromCharCode(code));
const headerSafe = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));

/** Mostly `usual`, sometimes one of `others`: most requests should get far enough to matter. */
const mostly = <const T>(usual: T, ...others: T[]) =>
  fc.oneof(
    { weight: 14 * Math.max(1, others.length), arbitrary: fc.constant(usual) },
    { weight: others.length, arbitrary: fc.constantFrom(...others) },
  );

const worldArb: fc.Arbitrary<World> = fc.record({
  enabled: mostly(true, false),
  skillRetired: mostly(false, true),
  rotation: fc.constantFrom("none", "none", "grace", "expired"),
  rateLimit: mostly(60, 1, 2, 3),
});

/** Strings any JSON may carry, including NUL and unpaired surrogates (escaped by JSON.stringify). */
const awkward = fc.constantFrom(
  "nul\u0000inside",
  "lone \ud800 high",
  "lone \udc00 low",
  "line\u2028sep",
  "é😀",
);
const title = fc.oneof(
  fc.string({ minLength: 3, maxLength: 20 }),
  fc.string({ unit: "grapheme", minLength: 3, maxLength: 8 }),
  fc.string({ unit: "binary", minLength: 3, maxLength: 8 }),
  fc.constantFrom("Checkout is down", "abc", "😀😀😀"),
  awkward,
);
const validIssue = fc.record(
  {
    title,
    priority: fc.integer({ min: 1, max: 5 }),
    labels: fc.array(fc.string({ maxLength: 8 }), { maxLength: 4 }),
    extra: fc.jsonValue({ maxDepth: 2, stringUnit: "binary" }),
  },
  { requiredKeys: ["title"] },
);
const nearMissIssue = fc.oneof(
  validIssue.chain((issue) =>
    fc.constantFrom<Record<string, unknown>>(
      { ...issue, title: "ab" },
      { ...issue, title: "😀😀" },
      { ...issue, title: 123 },
      { ...issue, title: null },
      { ...issue, title: undefined },
      { ...issue, priority: 0 },
      { ...issue, priority: 6 },
      { ...issue, priority: 2.5 },
      { ...issue, priority: "3" },
      { ...issue, priority: null },
      { ...issue, labels: [1] },
      { ...issue, labels: "p1" },
      { ...issue, labels: null },
    ),
  ),
  fc.jsonValue({ maxDepth: 2 }),
);
const jsonBody = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .record(
        { issue: validIssue, extra: fc.oneof(fc.jsonValue({ maxDepth: 2 }), awkward) },
        { requiredKeys: ["issue"] },
      )
      .map((v) => JSON.stringify(v)),
  },
  { weight: 3, arbitrary: nearMissIssue.map((issue) => JSON.stringify({ issue })) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '[{"issue":{"title":"abc"}}]',
      '{"issue":[{"title":"abc"}]}',
      '"abc"',
      "null",
      "3",
      '{"issue":{"title":"dup"},"issue":{"title":"wins"}}',
    ),
  },
);
const invalidJson = fc.oneof(
  fc.constantFrom(
    "{not json",
    "",
    '{"issue":',
    "undefined",
    "NaN",
    "{'issue':1}",
    '{"a":1,}',
    "\ufeff{}",
    '{"issue":{"title":"abc"}}x',
  ),
  fc.string({ maxLength: 30 }),
);
/** A body of exactly MAX_BODY_BYTES + delta bytes, else a valid delivery. */
const nearCap = fc.constantFrom(-1, 0, 1, 1000).map((delta) => {
  const head = JSON.stringify({ issue: { title: "Large one", priority: 2 }, pad: "" });
  return head.replace('"pad":""', `"pad":"${"x".repeat(MAX_BODY_BYTES + delta - head.length)}"`);
});
const bodyArb = fc.oneof(
  { weight: 30, arbitrary: jsonBody },
  { weight: 3, arbitrary: invalidJson },
  { weight: 1, arbitrary: nearCap },
);

const tOffset = fc.oneof(
  fc.constantFrom(0, TOLERANCE_S, -TOLERANCE_S, TOLERANCE_S + 1, -TOLERANCE_S - 1),
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -100_000_000, max: 100_000_000 }),
);
const signatureArb: fc.Arbitrary<SignatureSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "missing" as const }) },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: headerSafe, maxLength: 100 })
      .map((text) => ({ kind: "garbled" as const, text })),
  },
  {
    weight: 1,
    arbitrary: fc.constant({ kind: "non-numeric-t" as const, key: "current" as const }),
  },
  {
    weight: 20,
    arbitrary: fc.record({
      kind: fc.constant("signed" as const),
      key: mostly("current", "previous", "wrong"),
      tOffset: fc.oneof(
        { weight: 6, arbitrary: fc.integer({ min: -60, max: 60 }) },
        { weight: 1, arbitrary: tOffset },
      ),
      form: mostly("single", "another-body", "extra-wrong-v1", "t-mismatch", "v1-only"),
    }),
  },
);
const deliveryIdArb: fc.Arbitrary<DeliveryIdSpec> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ kind: "fresh" as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: "none" as const }) },
  { weight: 5, arbitrary: fc.nat().map((pick) => ({ kind: "repeat" as const, pick })) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.string({ unit: printableAscii, minLength: 1, maxLength: 12 }),
        fc.constant("d".repeat(200)),
      )
      .map((value) => ({ kind: "odd" as const, value })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom("", "d".repeat(201), "has space", "caf\u00e9", "tab\tinside")
      .map((value) => ({ kind: "invalid" as const, value })),
  },
);
const requestArb: fc.Arbitrary<RequestSpec> = fc.record({
  target: mostly("webhook", "unknown-uuid", "not-a-uuid"),
  deliveryId: deliveryIdArb,
  contentType: fc.oneof(
    {
      weight: 20,
      arbitrary: fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
      ),
    },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/jsonp",
      ),
    },
  ),
  contentLength: mostly("none", "exact", "understated", "over-cap"),
  body: bodyArb,
  signature: signatureArb,
  copyOf: fc.option(fc.nat(), { freq: 6 }),
});

// ---------------------------------------------------------------------------------------------
// The model

type Expected =
  | { status: 404 }
  | {
      status: 400 | 401 | 413 | 415 | 429 | 409 | 422;
      code: string;
      verdict: string;
      payload?: unknown;
    }
  | { status: 202; verdict: "accepted"; inputs: Record<string, unknown>; payload: unknown }
  | { status: 202; verdict: "duplicate"; ofRequest: number; payload: unknown };

const hmac = (secret: string, t: string, body: string) =>
  createHmac("sha256", secret).update(`${t}.${body}`, "utf8").digest("hex");

/** RFC 6901 on own properties of plain objects; arrays have no "issue" or "title" index. */
function child(value: unknown, key: string): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function mappedInputs(payload: unknown): { inputs: Record<string, unknown>; valid: boolean } {
  const issue = child(payload, "issue");
  const title = child(issue, "title");
  const found = child(issue, "priority");
  const priority = found === undefined ? 3 : found;
  const labels = child(issue, "labels");
  const inputs: Record<string, unknown> = { priority };
  if (title !== undefined) inputs.title = title;
  if (labels !== undefined) inputs.labels = labels;
  const valid =
    typeof title === "string" &&
    [...title].length >= 3 &&
    typeof priority === "number" &&
    Number.isInteger(priority) &&
    priority >= 1 &&
    priority <= 5 &&
    (labels === undefined ||
      (Array.isArray(labels) && labels.every((label) => typeof label === "string")));
  return { inputs, valid };
}

type Built = {
  spec: RequestSpec;
  /** The signature as sent (an earlier request's when this one is a copy). */
  signature: SignatureSpec;
  /** The signed content, `<t>.<body>`, when the signature is of the right shape: what a repeat shares. */
  signedContent: string | null;
  deliveryId: string | null;
  headers: Record<string, string>;
  body: string;
  url: string;
  webhookPath: string;
};

function build(
  spec: RequestSpec,
  index: number,
  earlier: Built[],
  webhookId: string,
  secrets: { current: string; previous: string },
  nowS: number,
): Built {
  // Each request's bytes differ (trailing whitespace, insignificant in JSON), so no two
  // requests of a sequence carry the same signature: replaying a captured request is not modelled.
  const source =
    spec.copyOf !== null && earlier.length ? earlier[spec.copyOf % earlier.length]! : null;
  const body = source ? source.body : spec.body + " ".repeat(index);
  let deliveryId: string | null = null;
  const previousIds = earlier
    .map((request) => request.deliveryId)
    .filter((id): id is string => id !== null && /^[\x21-\x7e]{1,200}$/.test(id));
  switch (spec.deliveryId.kind) {
    case "none":
      break;
    case "fresh":
      deliveryId = `evt_${randomUUID()}`;
      break;
    case "repeat":
      deliveryId = previousIds.length
        ? previousIds[spec.deliveryId.pick % previousIds.length]!
        : `evt_${randomUUID()}`;
      break;
    default:
      deliveryId = spec.deliveryId.value;
  }
  const headers: Record<string, string> = { "content-type": spec.contentType };
  if (deliveryId !== null) headers["skillrun-delivery-id"] = deliveryId;
  if (spec.contentLength === "exact") headers["content-length"] = String(Buffer.byteLength(body));
  if (spec.contentLength === "understated") headers["content-length"] = "10";
  if (spec.contentLength === "over-cap") headers["content-length"] = String(MAX_BODY_BYTES + 1);
  const signature = source ? source.signature : spec.signature;
  let signedContent: string | null = null;
  const secretOf = (key: "current" | "previous" | "wrong") =>
    key === "wrong" ? "whsec_wrong" : secrets[key];
  switch (signature.kind) {
    case "missing":
      break;
    case "garbled":
      headers["skillrun-signature"] = signature.text;
      break;
    case "non-numeric-t":
      headers["skillrun-signature"] = `t=soon,v1=${hmac(secrets.current, "soon", body)}`;
      break;
    case "signed": {
      const t = String(nowS + signature.tOffset);
      signedContent = `${t}.${body}`;
      const digest = hmac(
        secretOf(signature.key),
        t,
        signature.form === "another-body" ? `${body}{}` : body,
      );
      const wrong = hmac("whsec_wrong", t, body);
      headers["skillrun-signature"] = {
        single: `t=${t},v1=${digest}`,
        "another-body": `t=${t},v1=${digest}`,
        "extra-wrong-v1": `t=${t},v1=${wrong},v1=${digest}`,
        "t-mismatch": `t=${Number(t) + 1},v1=${digest}`,
        "v1-only": `v1=${digest}`,
      }[signature.form];
    }
  }
  const path =
    spec.target === "webhook"
      ? webhookId
      : spec.target === "unknown-uuid"
        ? randomUUID()
        : "not-a-uuid";
  if (source) {
    if (source.headers["skillrun-signature"] === undefined) delete headers["skillrun-signature"];
    else headers["skillrun-signature"] = source.headers["skillrun-signature"];
  }
  return {
    spec,
    signature,
    signedContent,
    deliveryId,
    headers,
    body,
    url: `http://localhost/api/webhooks/${path}`,
    webhookPath: path,
  };
}

/** Every string in a JSON value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([key, item]) => [key, ...strings(item)]);
  return [];
}

/** Holds U+0000, or a UTF-16 surrogate without its other half. */
function unstorable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0) return true;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return true;
  }
  return false;
}

/** What the contract says each request of the sequence gets, in order. */
function expectations(world: World, requests: Built[]): Expected[] {
  let signedCount = 0;
  /** Delivery id, and verified signed content (`<t>.<body>`), → index of the accepted request whose run holds it. */
  const held = new Map<string, number>();
  const heldSignatures = new Map<string, number>();
  return requests.map((request, index): Expected => {
    const { spec } = request;
    if (spec.target !== "webhook" || !world.enabled) return { status: 404 };
    const header = request.deliveryId;
    if (header !== null && !/^[\x21-\x7e]{1,200}$/.test(header))
      return { status: 400, code: "invalid_delivery_id", verdict: "malformed" };
    const mediaType = spec.contentType.split(";")[0]!.trim().toLowerCase();
    if (mediaType !== "application/json")
      return { status: 415, code: "unsupported_media_type", verdict: "unsupported_media_type" };
    if (spec.contentLength === "over-cap" || Buffer.byteLength(request.body) > MAX_BODY_BYTES)
      return { status: 413, code: "payload_too_large", verdict: "too_large" };
    const signature = request.signature;
    const keyValid =
      signature.kind === "signed" &&
      (signature.key === "current" || (signature.key === "previous" && world.rotation === "grace"));
    const signed = keyValid && (signature.form === "single" || signature.form === "extra-wrong-v1");
    if (!signed) return { status: 401, code: "bad_signature", verdict: "bad_signature" };
    if (Math.abs(signature.tOffset) > TOLERANCE_S)
      return { status: 401, code: "stale_timestamp", verdict: "stale_timestamp" };
    let payload: unknown;
    let parsed = true;
    try {
      payload = JSON.parse(request.body);
    } catch {
      parsed = false;
    }
    // PostgreSQL jsonb cannot store U+0000 or an unpaired surrogate: such a body is refused as malformed.
    const storable = parsed && !strings(payload).some(unstorable);
    const stored = storable ? (JSON.parse(JSON.stringify(payload)) as unknown) : null;
    // A repeat (the same signed request, or a delivery id held) is answered before the rate
    // limit and the JSON checks, and spends none of the limit.
    const holder =
      heldSignatures.get(request.signedContent!) ??
      (header !== null ? held.get(header) : undefined);
    if (holder !== undefined)
      return { status: 202, verdict: "duplicate", ofRequest: holder, payload: stored };
    signedCount += 1;
    if (signedCount > world.rateLimit)
      return { status: 429, code: "rate_limited", verdict: "rate_limited" };
    if (!storable) return { status: 400, code: "malformed_json", verdict: "malformed" };
    if (world.skillRetired)
      return { status: 409, code: "skill_unavailable", verdict: "failed", payload: stored };
    const { inputs, valid } = mappedInputs(payload);
    if (!valid)
      return { status: 422, code: "inputs_invalid", verdict: "inputs_invalid", payload: stored };
    if (header !== null) held.set(header, index);
    heldSignatures.set(request.signedContent!, index);
    return { status: 202, verdict: "accepted", inputs, payload: stored };
  });
}

// ---------------------------------------------------------------------------------------------

/** JSON with sorted keys: jsonb does not keep key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

async function tenantCounts() {
  const [[runs], [deliveries], [audits], [events]] = await Promise.all([
    db.select({ n: count() }).from(skillRuns).where(eq(skillRuns.tenantId, tenantId)),
    db
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.tenantId, tenantId)),
    db.select({ n: count() }).from(auditLog).where(eq(auditLog.tenantId, tenantId)),
    db.select({ n: count() }).from(runEvents).where(eq(runEvents.tenantId, tenantId)),
  ]);
  return { runs: runs!.n, deliveries: deliveries!.n, audits: audits!.n, events: events!.n };
}

describe("webhook receiver (property)", () => {
  it("creates a run exactly for fully valid requests, answers the documented status, and logs one row per request to a known webhook", async () => {
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        fc.array(requestArb, { minLength: 1, maxLength: 6 }),
        async (world, specs) => {
          const clock = new Date();
          const nowS = Math.floor(clock.getTime() / 1000);
          const secrets = { current: `whsec_${randomUUID()}`, previous: `whsec_${randomUUID()}` };
          const [webhook] = await db
            .insert(webhooks)
            .values({
              tenantId,
              name: "Issues",
              skillId: world.skillRetired ? retiredSkillId : skillId,
              agentId: null,
              inputMapping: MAPPING,
              signingSecret: secrets.current,
              previousSigningSecret: world.rotation === "none" ? null : secrets.previous,
              previousSecretExpiresAt:
                world.rotation === "grace"
                  ? new Date(clock.getTime() + 3_600_000)
                  : world.rotation === "expired"
                    ? new Date(clock.getTime() - 1000)
                    : null,
              rateLimitPerMinute: world.rateLimit,
              enabled: world.enabled,
            })
            .returning({ id: webhooks.id });
          const webhookId = webhook!.id;
          const receive = createWebhookReceiver({ db: () => db, dispatcher, now: () => clock });

          const requests: Built[] = [];
          for (const [index, spec] of specs.entries())
            requests.push(build(spec, index, requests, webhookId, secrets, nowS));
          const expected = expectations(world, requests);
          const before = await tenantCounts();
          const sentBefore = sent.length;

          const runIds: (string | null)[] = [];
          for (const [index, request] of requests.entries()) {
            const response = await receive(
              new Request(request.url, {
                method: "POST",
                body: request.body,
                headers: request.headers,
              }),
              request.webhookPath,
            );
            const answer = (await response.json()) as {
              runId?: string;
              duplicate?: boolean;
              error?: { code: string };
            };
            const want = expected[index]!;
            expect({ request: index, status: response.status }).toEqual({
              request: index,
              status: want.status,
            });
            runIds.push(null);
            if (want.status === 404) expect(answer.error?.code).toBe("not_found");
            else if (want.status !== 202) {
              expect(answer.error?.code).toBe(want.code);
              if (want.status === 429)
                expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
            } else if (want.verdict === "accepted") {
              expect(answer).toEqual({ runId: expect.any(String) });
              runIds[index] = answer.runId!;
            } else {
              expect(answer).toEqual({ runId: runIds[want.ofRequest], duplicate: true });
              runIds[index] = answer.runId!;
            }
          }

          // Runs: exactly the accepted requests', with the mapped inputs, each dispatched once.
          const accepted = expected.flatMap((want, index) =>
            want.status === 202 && want.verdict === "accepted"
              ? [{ index, inputs: want.inputs }]
              : [],
          );
          const runs = await db.select().from(skillRuns).where(eq(skillRuns.webhookId, webhookId));
          expect(runs.map((run) => run.id).sort()).toEqual(
            accepted.map(({ index }) => runIds[index]).sort(),
          );
          for (const { index, inputs } of accepted) {
            expect(runs.find((run) => run.id === runIds[index])).toMatchObject({
              status: "queued",
              source: "webhook",
              skillId,
              inputs,
            });
          }
          const dispatched = sent.slice(sentBefore);
          expect(dispatched.map((event) => event.id).sort()).toEqual(
            accepted.map(({ index }) => runIds[index]).sort(),
          );

          // The delivery log: one row per request that reached a known webhook, as the model says.
          const rows = await db
            .select()
            .from(webhookDeliveries)
            .where(eq(webhookDeliveries.webhookId, webhookId));
          const expectedRows = expected.flatMap((want, index) =>
            want.status === 404
              ? []
              : [
                  {
                    verdict: want.verdict,
                    httpStatus: want.status,
                    deliveryId:
                      want.status === 400 &&
                      want.verdict === "malformed" &&
                      want.code === "invalid_delivery_id"
                        ? null
                        : requests[index]!.deliveryId,
                    runId: runIds[index] ?? null,
                    deduplicated: want.verdict === "duplicate",
                    payload: "payload" in want ? want.payload : null,
                  },
                ],
          );
          const key = (row: {
            verdict: string;
            deliveryId: string | null;
            runId: string | null;
            httpStatus: number;
            payload: unknown;
          }) =>
            `${row.verdict}|${row.httpStatus}|${row.deliveryId}|${row.runId}|${canonical(row.payload)}`;
          const actualRows = rows.map(
            ({ verdict, httpStatus, deliveryId, runId, deduplicated, payload }) => ({
              verdict,
              httpStatus,
              deliveryId,
              runId,
              deduplicated,
              payload,
            }),
          );
          expect(actualRows.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
            expectedRows.sort((a, b) => key(a).localeCompare(key(b))),
          );

          // Nothing else: per accepted run one timeline event (queued) and one audit entry.
          const after = await tenantCounts();
          expect({
            runs: after.runs - before.runs,
            deliveries: after.deliveries - before.deliveries,
            audits: after.audits - before.audits,
            events: after.events - before.events,
          }).toEqual({
            runs: accepted.length,
            deliveries: expectedRows.length,
            audits: accepted.length,
            events: accepted.length,
          });
          if (accepted.length) {
            const audits = await db
              .select()
              .from(auditLog)
              .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.actorId, webhookId)));
            expect(audits.map((audit) => `${audit.action}:${audit.targetId}`).sort()).toEqual(
              accepted.map(({ index }) => `run.start:${runIds[index]}`).sort(),
            );
            const events = await db
              .select({ type: runEvents.type })
              .from(runEvents)
              .where(
                inArray(
                  runEvents.runId,
                  accepted.map(({ index }) => runIds[index]!),
                ),
              );
            expect(events.every((event) => event.type === "queued")).toBe(true);
          }
        },
      ),
      { numRuns: 150, ...replay },
    );
    // 150 worlds of up to a dozen requests each: 23 s in the CI beside the other lanes, 30 s (the
    // default limit) once when a next dev compile ran beside it too.
  }, 120_000);
});
