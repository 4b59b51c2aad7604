/**
 * The tRPC endpoint over HTTP, as the browser reaches it (server errors are shaped by the error
 * formatter only here, not through a caller): unexpected errors hide behind an error id, input
 * PostgreSQL cannot store is refused before any query, and bodies and batches have a size limit.
 */
import { DrizzleQueryError, eq } from "drizzle-orm";
import { Inngest } from "inngest";
import superjson from "superjson";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MAX_TRPC_BATCH_CALLS, MAX_TRPC_BODY_BYTES } from "@/lib/trpc-limits";
import type { Database } from "@/server/db/client";
import { apiKeys, schedules, skillRuns, webhooks } from "@/server/db/schema";
import { createTenantWithSkill, createUser, openTestDatabase, signIn } from "@/test/fixtures";
import { handleTRPCRequest } from "./http-handler";
import { TENANT_HEADER } from "@/lib/tenant-header";

const { db, auth } = openTestDatabase();
/** Nowhere: a start that reaches dispatch fails there (an expected error with its own message). */
const dispatcher = new Inngest({
  id: "trpc-http-test",
  isDev: true,
  baseUrl: "http://127.0.0.1:9",
});

let cookie: Headers;
let tenantId: string;
let skillId: string;
let skillSlug: string;
beforeAll(async () => {
  const world = await createTenantWithSkill(db, {
    inputsSchema: { type: "object", properties: { topic: { type: "string", title: "Topic" } } },
  });
  tenantId = world.tenant.id;
  skillId = world.skill.id;
  skillSlug = world.skill.slug;
  const admin = await createUser(db, [{ tenantId, role: "admin" }]);
  cookie = await signIn(auth, admin.email);
});

let logged: string[] = [];
beforeAll(() => {
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
  });
});
afterEach(() => {
  logged = [];
});

type ErrorShape = {
  message: string;
  code: number;
  data: {
    code: string;
    httpStatus: number;
    errorId: string | null;
    fieldErrors: Record<string, string[]> | null;
    stack?: string;
  };
};

async function call(
  procedure: string,
  input: unknown,
  options: { method?: "GET" | "POST"; database?: Database; logExpectedErrors?: boolean } = {},
) {
  const method = options.method ?? "POST";
  const url = new URL(`http://localhost/api/trpc/${procedure}`);
  const serialized = JSON.stringify(superjson.serialize(input));
  if (method === "GET") url.searchParams.set("input", serialized);
  const headers = new Headers(cookie);
  headers.set("content-type", "application/json");
  headers.set(TENANT_HEADER, tenantId);
  const response = await handleTRPCRequest(
    new Request(url, { method, headers, body: method === "POST" ? serialized : undefined }),
    {
      context: () => ({ db: options.database ?? db, auth, dispatcher }),
      logExpectedErrors: options.logExpectedErrors,
    },
  );
  const text = await response.text();
  const body = JSON.parse(text) as { error?: { json: ErrorShape }; result?: { data: unknown } };
  return { status: response.status, text, error: body.error?.json };
}

const NO_SQL = /select|insert|update|Failed query|params:/i;

describe("unexpected errors", () => {
  /** A database whose every query fails as drizzle reports it: the SQL text and its parameters in the message. */
  const failingDb = new Proxy(db, {
    get(target, property, receiver) {
      if (
        property === "select" ||
        property === "insert" ||
        property === "update" ||
        property === "execute"
      ) {
        return () => {
          throw new DrizzleQueryError(
            'select "role" from "memberships" where "user_id" = $1',
            ["param-value-canary"],
            Object.assign(new Error("relation exploded"), { code: "XX000" }),
          );
        };
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });

  it("reach the client as a generic message with an error id; the log has the SQL text and the driver's message under that id, never the parameters", async () => {
    const { status, text, error } = await call(
      "runs.list",
      {},
      { method: "GET", database: failingDb },
    );
    expect(status).toBe(500);
    expect(error?.message).toMatch(
      /^Something went wrong \(error id [0-9a-f]{12}\)\. The details are in the server log\.$/,
    );
    expect(error?.data).toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
      errorId: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    expect(error?.data.stack).toBeUndefined();
    expect(text).not.toMatch(NO_SQL);
    expect(text).not.toContain("param-value-canary");
    expect(text).not.toContain("relation exploded");

    const entry = logged.find((line) => line.includes(`[error ${error?.data.errorId}]`));
    expect(entry).toContain("tRPC query runs.list");
    expect(entry).toContain('Failed query: select "role" from "memberships" where "user_id" = $1');
    expect(entry).toContain("caused by: Error: relation exploded");
    expect(logged.join("\n")).not.toContain("param-value-canary");
  });

  it("expected errors keep their messages: not found, invalid input, a dispatch that failed", async () => {
    const missing = await call("runs.start", { skillSlug: "no-such-skill", inputs: {} });
    expect(missing).toMatchObject({
      status: 404,
      error: {
        message: 'Skill "no-such-skill" was not found or is disabled in this tenant.',
        data: { errorId: null },
      },
    });

    const invalid = await call("runs.start", { skillSlug: "", inputs: {} });
    expect(invalid.status).toBe(400);
    expect(invalid.error?.data.fieldErrors).toEqual({ skillSlug: [expect.any(String)] });

    const undispatched = await call("runs.start", { skillSlug, inputs: { topic: "x" } });
    expect(undispatched.status).toBe(503);
    expect(undispatched.error?.message).toMatch(/was created but could not be dispatched/);
    expect(logged.some((line) => line.includes("[error "))).toBe(false);
  });
});

describe("logging expected errors", () => {
  it("logs a 5xx answer without being asked to (as in production), and a refusal only when asked", async () => {
    const undispatched = await call("runs.start", { skillSlug, inputs: { topic: "x" } });
    expect(undispatched.status).toBe(503);
    expect(logged).toEqual([
      expect.stringMatching(/^tRPC runs\.start failed: .*could not be dispatched/),
    ]);

    logged = [];
    const missing = { skillSlug: "no-such-skill", inputs: {} };
    expect((await call("runs.start", missing)).status).toBe(404);
    expect(logged).toEqual([]);
    await call("runs.start", missing, { logExpectedErrors: true });
    expect(logged).toEqual([
      expect.stringMatching(/^tRPC runs\.start failed: Skill "no-such-skill"/),
    ]);
  });
});

describe("input PostgreSQL cannot store", () => {
  const countRows = async () => ({
    runs: (
      await db.select({ id: skillRuns.id }).from(skillRuns).where(eq(skillRuns.tenantId, tenantId))
    ).length,
    schedules: (
      await db.select({ id: schedules.id }).from(schedules).where(eq(schedules.tenantId, tenantId))
    ).length,
    webhooks: (
      await db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.tenantId, tenantId))
    ).length,
    apiKeys: (
      await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.tenantId, tenantId))
    ).length,
  });
  const schedule = {
    name: "Daily",
    skillId,
    agentId: null,
    inputs: {},
    cron: "0 9 * * *",
    timezone: "UTC",
    overlapPolicy: "skip",
    enabled: true,
  };
  const webhook = {
    name: "Tickets",
    skillId,
    agentId: null,
    inputMapping: {},
    rateLimitPerMinute: 60,
    enabled: true,
  };

  // The review's L1 triggers: each used to answer 500 with the failed SQL and its parameters.
  it.each([
    ["runs.start, a NUL in the skill slug", "runs.start", { skillSlug: "a\u0000", inputs: {} }],
    [
      "runs.start, a NUL in an input key",
      "runs.start",
      { skillSlug: "x", inputs: { "to\u0000pic": "x" } },
    ],
    [
      "runs.start, an unpaired surrogate in an input value",
      "runs.start",
      { skillSlug: "x", inputs: { topic: "half \ud800" } },
    ],
    [
      "schedules.create, a NUL in the name",
      "schedules.create",
      { ...schedule, name: "Dai\u0000ly" },
    ],
    [
      "webhooks.create, a NUL in the name",
      "webhooks.create",
      { ...webhook, name: "Tick\u0000ets" },
    ],
    [
      "webhooks.create, a NUL in a mapping default",
      "webhooks.create",
      { ...webhook, inputMapping: { topic: { default: "a\u0000" } } },
    ],
    ["apiKeys.create, a NUL in the name", "apiKeys.create", { name: "ci\u0000", role: "viewer" }],
  ])(
    "%s answers 400 naming the character, with no SQL, and writes nothing",
    async (_case, procedure, input) => {
      const before = await countRows();
      const { status, text, error } = await call(procedure, input);
      expect(status).toBe(400);
      expect(error?.message).toBe(
        "The input holds the character U+0000 (\\u0000) or an unpaired surrogate (such as \\ud800), which cannot be stored; remove it.",
      );
      expect(text).not.toMatch(NO_SQL);
      expect(await countRows()).toEqual(before);
    },
  );

  it("in a query's input too (GET)", async () => {
    const { status, error } = await call(
      "skills.get",
      { slug: "meeting\u0000prep" },
      { method: "GET" },
    );
    expect(status).toBe(400);
    expect(error?.data.code).toBe("BAD_REQUEST");
  });
});

describe("request size", () => {
  it(`answers 413 to a body over ${MAX_TRPC_BODY_BYTES} bytes, declared or not, before any procedure runs`, async () => {
    const body = JSON.stringify(
      superjson.serialize({ skillSlug, inputs: { topic: "x".repeat(MAX_TRPC_BODY_BYTES) } }),
    );
    const before = (
      await db.select({ id: skillRuns.id }).from(skillRuns).where(eq(skillRuns.tenantId, tenantId))
    ).length;
    const declared = new Headers(cookie);
    declared.set("content-type", "application/json");
    declared.set("content-length", String(Buffer.byteLength(body)));
    const streamed = new Headers(cookie);
    streamed.set("content-type", "application/json");
    const chunks = [body.slice(0, 1000), body.slice(1000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(chunk));
      },
    });
    const requests = [
      new Request("http://localhost/api/trpc/runs.start", {
        method: "POST",
        headers: declared,
        body,
      }),
      new Request("http://localhost/api/trpc/runs.start", {
        method: "POST",
        headers: streamed,
        body: stream,
        duplex: "half",
      } as RequestInit),
    ];
    for (const request of requests) {
      const response = await handleTRPCRequest(request, {
        context: () => ({ db, auth, dispatcher }),
      });
      const { error } = (await response.json()) as { error: { json: ErrorShape } };
      expect(response.status).toBe(413);
      expect(error.json).toMatchObject({
        message: "The request body is over 1 MB (1048576 bytes); send less.",
        data: { code: "PAYLOAD_TOO_LARGE" },
      });
    }
    expect(
      (
        await db
          .select({ id: skillRuns.id })
          .from(skillRuns)
          .where(eq(skillRuns.tenantId, tenantId))
      ).length,
    ).toBe(before);
  });

  it(`runs a batch of ${MAX_TRPC_BATCH_CALLS} calls and answers 413 to one more`, async () => {
    const batch = async (size: number) => {
      const url = new URL(
        `http://localhost/api/trpc/${Array.from({ length: size }, () => "viewer.get").join(",")}`,
      );
      url.searchParams.set("batch", "1");
      const response = await handleTRPCRequest(new Request(url, { headers: cookie }), {
        context: () => ({ db, auth, dispatcher }),
      });
      return {
        status: response.status,
        body: (await response.json()) as { error?: { json: ErrorShape } }[],
      };
    };
    const fits = await batch(MAX_TRPC_BATCH_CALLS);
    expect(fits.status).toBe(200);
    expect(fits.body).toHaveLength(MAX_TRPC_BATCH_CALLS);
    const over = await batch(MAX_TRPC_BATCH_CALLS + 1);
    expect(over.status).toBe(413);
    expect(over.body[0]?.error?.json.message).toBe(
      `A request may batch at most ${MAX_TRPC_BATCH_CALLS} calls; this one has ${MAX_TRPC_BATCH_CALLS + 1}.`,
    );
  });
});
