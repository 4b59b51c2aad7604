import { Validator } from "@cfworker/json-schema";
import { eq } from "drizzle-orm";
import { Inngest } from "inngest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEngine, type Engine } from "@/inngest/engine";
import type { MemberRole } from "@/lib/enums";
import { apiKeys, skillRuns } from "@/server/db/schema";
import { createApiKey, revokeApiKey } from "@/server/services/access/api-keys";
import { ZERO_USAGE } from "@/server/agent/usage";
import { completeRun, markRunning } from "@/server/services/runs/run-lifecycle";
import { createDatabase } from "@/server/db/client";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { MAX_BODY_BYTES } from "./http";
import { openApiDocument } from "./openapi";
import { createRunsApi } from "./runs-api";

const { db } = openTestDatabase();
let engine: Engine;
let api: ReturnType<typeof createRunsApi>;
beforeAll(async () => {
  engine = await startEngine({
    port: 0,
    databaseUrl: process.env.DATABASE_URL ?? "",
    log: () => {},
    pollIntervalSeconds: 0,
  });
  api = createRunsApi({
    db: () => db,
    dispatcher: new Inngest({ id: "rest-test", isDev: true, baseUrl: engine.url }),
  });
});
afterAll(async () => {
  await engine.close();
});

const world = () =>
  createTenantWithSkill(db, {
    inputsSchema: {
      type: "object",
      required: ["topic"],
      properties: { topic: { type: "string", minLength: 3 } },
    },
  });
async function keyFor(tenantId: string, role: MemberRole) {
  return (await createdKeyFor(tenantId, role)).key;
}
async function createdKeyFor(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role: "owner" }]);
  return createApiKey(
    db,
    {
      tenantId,
      userId: user.id,
      userRole: "owner",
      audit: { actor: { type: "user", id: user.id }, origin: null },
    },
    { name: `${role} key`, role },
  );
}
const request = (
  path: string,
  key: string | null,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
) =>
  new Request(`http://localhost/api/v1${path}`, {
    method: init.method ?? "GET",
    body: init.body,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
      ...init.headers,
    },
  });
const runCount = async (tenantId: string) =>
  (await db.select().from(skillRuns).where(eq(skillRuns.tenantId, tenantId))).length;

describe("REST API v1: runs", () => {
  it("starts, reads, lists and cancels a run with an operator key; an Idempotency-Key returns the same run", async () => {
    const { tenant, skill } = await world();
    const key = await keyFor(tenant.id, "operator");
    const body = JSON.stringify({ skill: skill.slug, inputs: { topic: "Quarterly plan" } });
    const created = await api.start(
      request("/runs", key, { method: "POST", body, headers: { "idempotency-key": "order-42" } }),
    );
    expect(created.status).toBe(201);
    const run = (await created.json()) as {
      id: string;
      status: string;
      source: string;
      inputs: unknown;
    };
    expect(run).toMatchObject({
      status: "queued",
      source: "api",
      inputs: { topic: "Quarterly plan" },
    });
    const again = await api.start(
      request("/runs", key, { method: "POST", body, headers: { "idempotency-key": "order-42" } }),
    );
    expect(again.status).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(run.id);
    expect(await runCount(tenant.id)).toBe(1);

    expect(await (await api.get(request(`/runs/${run.id}`, key), run.id)).json()).toMatchObject({
      id: run.id,
      skill: { slug: skill.slug },
    });
    const list = (await (
      await api.list(request(`/runs?status=queued&skill=${skill.slug}&limit=1`, key))
    ).json()) as { runs: { id: string }[]; nextCursor: string | null };
    expect(list).toEqual({ runs: [expect.objectContaining({ id: run.id })], nextCursor: null });
    const cancelled = await api.cancel(
      request(`/runs/${run.id}/cancel`, key, { method: "POST" }),
      run.id,
    );
    expect(await cancelled.json()).toMatchObject({ status: "cancelled" });
    expect(
      (await api.cancel(request(`/runs/${run.id}/cancel`, key, { method: "POST" }), run.id)).status,
    ).toBe(409);
    const [stored] = await db.select().from(apiKeys).where(eq(apiKeys.tenantId, tenant.id));
    expect(stored?.lastUsedAt).not.toBeNull();
  });

  it("reads a completed run's deliverable with what the guardrail masked in it, as the OpenAPI document describes it", async () => {
    const { tenant, skill } = await world();
    const key = await keyFor(tenant.id, "viewer");
    const read = async (markdown: string, masked?: { phone: number }) => {
      const [run] = await db
        .insert(skillRuns)
        .values({
          tenantId: tenant.id,
          skillId: skill.id,
          skillVersion: "v1",
          source: "api",
          inputs: {},
        })
        .returning({ id: skillRuns.id });
      const ref = { runId: run!.id, tenantId: tenant.id };
      await markRunning(db, ref);
      await completeRun(db, ref, { markdown, masked, usage: ZERO_USAGE });
      return (await api.get(request(`/runs/${ref.runId}`, key), ref.runId)).json();
    };
    const runSchema = new Validator(
      openApiDocument("https://skillrun.example.com").components.schemas
        .Run as ConstructorParameters<typeof Validator>[0],
      "2020-12",
    );

    const masked = await read("Call [phone number removed] on 2025-05-20.", { phone: 1 });
    expect(masked).toMatchObject({
      status: "complete",
      deliverable: {
        format: "markdown",
        content: "Call [phone number removed] on 2025-05-20.",
        masked: { phone: 1 },
      },
    });
    expect(runSchema.validate(masked).valid).toBe(true);
    const unchanged = await read("Released 2025-05-20.");
    expect(unchanged).toMatchObject({
      deliverable: { content: "Released 2025-05-20.", masked: {} },
    });
    expect(runSchema.validate(unchanged).valid).toBe(true);
  });

  it("answers an Idempotency-Key reused with another skill, agent or inputs 422, and the same body (keys in any order) with the original run", async () => {
    const { tenant, skill, agent } = await world();
    const other = await world();
    const key = await keyFor(tenant.id, "operator");
    const start = (body: unknown) =>
      api.start(
        request("/runs", key, {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "idempotency-key": "order-43" },
        }),
      );
    const created = await start({ skill: skill.slug, inputs: { topic: "Quarterly plan" } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    for (const changed of [
      { skill: skill.slug, inputs: { topic: "Another plan" } },
      { skill: skill.slug, agentId: agent.id, inputs: { topic: "Quarterly plan" } },
      { skill: other.skill.slug, inputs: { topic: "Quarterly plan" } },
    ]) {
      const refused = await start(changed);
      expect(refused.status).toBe(422);
      expect(await refused.json()).toEqual({
        error: {
          code: "idempotency_key_reused",
          message: expect.stringContaining(id),
          fields: { "Idempotency-Key": [expect.any(String)] },
        },
      });
    }
    const same = await start({ inputs: { topic: "Quarterly plan" }, skill: skill.slug });
    expect(same.status).toBe(200);
    expect(((await same.json()) as { id: string }).id).toBe(id);
    expect(await runCount(tenant.id)).toBe(1);
  });

  it("pages with an opaque cursor", async () => {
    const { tenant, skill } = await world();
    const key = await keyFor(tenant.id, "operator");
    for (const topic of ["one", "two", "three"])
      await api.start(
        request("/runs", key, {
          method: "POST",
          body: JSON.stringify({ skill: skill.slug, inputs: { topic } }),
        }),
      );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (
        await api.list(request(`/runs?limit=2${cursor ? `&cursor=${cursor}` : ""}`, key))
      ).json()) as { runs: { id: string }[]; nextCursor: string | null };
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(3);
    expect((await api.list(request("/runs?cursor=forged", key))).status).toBe(400);
  });

  it("answers refusals with the codes and messages openapi.ts publishes", async () => {
    const { tenant, skill } = await world();
    const key = await keyFor(tenant.id, "operator");
    const invalid = await api.start(
      request("/runs", key, {
        method: "POST",
        body: JSON.stringify({ skill: skill.slug, inputs: { topic: "x" } }),
      }),
    );
    expect({ status: invalid.status, body: await invalid.json() }).toEqual({
      status: 422,
      body: {
        error: {
          code: "inputs_invalid",
          message: "The inputs do not match the skill's schema.",
          fields: { topic: [expect.any(String)] },
        },
      },
    });

    const started = await api.start(
      request("/runs", key, {
        method: "POST",
        body: JSON.stringify({ skill: skill.slug, inputs: { topic: "abc" } }),
      }),
    );
    const { id } = (await started.json()) as { id: string };
    const cancel = () => api.cancel(request(`/runs/${id}/cancel`, key, { method: "POST" }), id);
    expect((await cancel()).status).toBe(200);
    const again = await cancel();
    expect({ status: again.status, body: await again.json() }).toEqual({
      status: 409,
      body: { error: { code: "not_cancellable", message: expect.stringContaining("cancelled") } },
    });

    const noDefault = await createTenantWithSkill(db, {
      defaultAgent: false,
      agentHasSkill: false,
    });
    const noDefaultKey = await keyFor(noDefault.tenant.id, "operator");
    const unassigned = await api.start(
      request("/runs", noDefaultKey, {
        method: "POST",
        body: JSON.stringify({ skill: noDefault.skill.slug, inputs: {} }),
      }),
    );
    expect({ status: unassigned.status, body: await unassigned.json() }).toEqual({
      status: 409,
      body: { error: { code: "no_default_agent", message: expect.any(String) } },
    });

    const malformed = await api.get(request("/runs/not-a-uuid", key), "not-a-uuid");
    expect({ status: malformed.status, body: await malformed.json() }).toEqual({
      status: 404,
      body: { error: { code: "not_found", message: "Run not-a-uuid was not found." } },
    });
  });

  it("refuses missing, malformed, wrong-prefix and revoked keys alike, and a viewer key cannot start or cancel", async () => {
    const { tenant, skill } = await world();
    const key = await keyFor(tenant.id, "operator");
    const [prefix, , secret] = key.split("_") as [string, string, string];
    const body = JSON.stringify({ skill: skill.slug, inputs: { topic: "abc" } });
    for (const bad of [
      null,
      "not-a-key",
      `${prefix}_XXXXXXXX_${secret}`,
      key.slice(0, -1) + (key.endsWith("a") ? "b" : "a"),
    ]) {
      const response = await api.start(request("/runs", bad, { method: "POST", body }));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    const viewer = await keyFor(tenant.id, "viewer");
    expect((await api.start(request("/runs", viewer, { method: "POST", body }))).status).toBe(403);
    expect((await api.list(request("/runs", viewer))).status).toBe(200);
    const [stored] = await db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.prefix, key.split("_").slice(0, 2).join("_")));
    await revokeApiKey(db, {
      tenantId: tenant.id,
      keyId: stored!.id,
      audit: { actor: { type: "system", id: null }, origin: null },
    });
    expect((await api.list(request("/runs", key))).status).toBe(401);
    expect(await runCount(tenant.id)).toBe(0);
  });

  it("gives every bad request a clear JSON error and creates nothing", async () => {
    const { tenant, skill } = await world();
    const key = await keyFor(tenant.id, "operator");
    const post = (body: string, headers: Record<string, string> = {}) =>
      api.start(request("/runs", key, { method: "POST", body, headers }));
    const cases: [Response, number, string][] = [
      [await post("{not json"), 400, "malformed_json"],
      [await post(JSON.stringify({ inputs: {} })), 400, "invalid_request"],
      [
        await post(JSON.stringify({ skill: skill.slug, inputs: { topic: "x" } })),
        422,
        "inputs_invalid",
      ],
      [await post(JSON.stringify({ skill: "no-such-skill", inputs: {} })), 404, "not_found"],
      [
        await post(JSON.stringify({ skill: skill.slug, inputs: { topic: "abc" } }), {
          "content-type": "text/plain",
        }),
        415,
        "unsupported_media_type",
      ],
      [
        await post(
          JSON.stringify({ skill: skill.slug, inputs: { topic: "x".repeat(MAX_BODY_BYTES) } }),
        ),
        413,
        "payload_too_large",
      ],
    ];
    for (const [response, status, code] of cases) {
      expect({
        status: response.status,
        code: ((await response.json()) as { error: { code: string } }).error.code,
      }).toEqual({ status, code });
    }
    expect(
      await (await post(JSON.stringify({ skill: skill.slug, inputs: { topic: "x" } }))).json(),
    ).toMatchObject({ error: { fields: { topic: ["must be at least 3 characters"] } } });
    expect(
      await (
        await post(JSON.stringify({ skill: skill.slug, inputs: { topic: "abc", extra: "x" } }))
      ).json(),
    ).toMatchObject({
      error: { code: "inputs_invalid", fields: { extra: ["is not an input of this skill"] } },
    });
    expect(await runCount(tenant.id)).toBe(0);
  });

  it("lists runs in any of several statuses, and the runs one key of the tenant started", async () => {
    const mine = await world();
    const theirs = await world();
    const myKey = await createdKeyFor(mine.tenant.id, "operator");
    const theirKey = await createdKeyFor(theirs.tenant.id, "operator");
    const start = async (key: string, skill: string) =>
      (
        (await (
          await api.start(
            request("/runs", key, {
              method: "POST",
              body: JSON.stringify({ skill, inputs: { topic: "filtered" } }),
            }),
          )
        ).json()) as { id: string }
      ).id;
    const cancelled = await start(myKey.key, mine.skill.slug);
    const queued = await start(myKey.key, mine.skill.slug);
    await start(theirKey.key, theirs.skill.slug);
    await api.cancel(
      request(`/runs/${cancelled}/cancel`, myKey.key, { method: "POST" }),
      cancelled,
    );
    const listed = async (query: string) => {
      const response = await api.list(request(`/runs?${query}`, myKey.key));
      expect(response.status, query).toBe(200);
      return ((await response.json()) as { runs: { id: string }[] }).runs.map((run) => run.id);
    };

    expect(await listed("status=queued,cancelled")).toEqual([queued, cancelled]);
    expect(await listed("status=queued&status=cancelled")).toEqual([queued, cancelled]);
    expect(await listed("status=cancelled")).toEqual([cancelled]);
    expect(await listed(`apiKey=${myKey.id}`)).toEqual([queued, cancelled]);
    expect(await listed(`apiKey=${myKey.id}&status=queued`)).toEqual([queued]);
    // Their key started a run in their tenant: from here, it names nothing.
    expect(await listed(`apiKey=${theirKey.id}`)).toEqual([]);
    const invalid = await api.list(request("/runs?status=queued,sleeping", myKey.key));
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { code: string } }).error.code).toBe(
      "invalid_request",
    );
  });

  it("answers another tenant's run exactly like an unknown one, and lists none of theirs", async () => {
    const mine = await world();
    const theirs = await world();
    const myKey = await keyFor(mine.tenant.id, "owner");
    const theirKey = await keyFor(theirs.tenant.id, "operator");
    const theirRun = (await (
      await api.start(
        request("/runs", theirKey, {
          method: "POST",
          body: JSON.stringify({ skill: theirs.skill.slug, inputs: { topic: "secret" } }),
        }),
      )
    ).json()) as { id: string };
    const unknownId = "00000000-0000-4000-8000-000000000000";
    for (const call of [
      (id: string) => api.get(request(`/runs/${id}`, myKey), id),
      (id: string) => api.cancel(request(`/runs/${id}/cancel`, myKey, { method: "POST" }), id),
    ]) {
      const foreign = await call(theirRun.id);
      const unknown = await call(unknownId);
      expect(foreign.status).toBe(404);
      expect(
        ((await foreign.json()) as { error: { message: string } }).error.message.replace(
          theirRun.id,
          "<id>",
        ),
      ).toBe(
        ((await unknown.json()) as { error: { message: string } }).error.message.replace(
          unknownId,
          "<id>",
        ),
      );
    }
    expect(await (await api.list(request("/runs", myKey))).json()).toEqual({
      runs: [],
      nextCursor: null,
    });
    expect(
      (
        await api.start(
          request("/runs", myKey, {
            method: "POST",
            body: JSON.stringify({ skill: theirs.skill.slug, inputs: { topic: "abc" } }),
          }),
        )
      ).status,
    ).toBe(404);
  });

  it("answers 503 JSON with Retry-After while the database is unreachable, not an empty 500", async () => {
    const unreachable = createDatabase("postgres://skillrun@127.0.0.1:9/none", { max: 1 });
    try {
      const offline = createRunsApi({
        db: () => unreachable.db,
        dispatcher: new Inngest({ id: "rest-offline", isDev: true, baseUrl: engine.url }),
      });
      const response = await offline.list(
        request("/runs", "srk_00000000_00000000000000000000000000000000"),
      );
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(await response.json()).toEqual({
        error: { code: "database_unavailable", message: expect.any(String) },
      });
    } finally {
      await unreachable.close();
    }
  });
});
