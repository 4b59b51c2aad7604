import { Validator } from "@cfworker/json-schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { auditLog, skillRuns } from "@/server/db/schema";
import { createApiKey } from "@/server/services/access/api-keys";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { openApiDocument } from "./openapi";
import { createRunsApi } from "./runs-api";

const { db } = openTestDatabase();
/** The engine is outside the system: started runs stay queued. */
const dispatcher: RunDispatcher = { send: async () => ({ ids: [] }) };
const api = createRunsApi({ db: () => db, dispatcher });
const runSchema = new Validator(
  openApiDocument("http://localhost").components.schemas.Run as ConstructorParameters<
    typeof Validator
  >[0],
  "2020-12",
);

async function keyFor(tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role: "owner" }]);
  const created = await createApiKey(
    db,
    {
      tenantId,
      userId: user.id,
      userRole: "owner",
      audit: { actor: { type: "user", id: user.id }, origin: null },
    },
    { name: `${role} key`, role },
  );
  return created;
}
const request = (path: string, key: string, init: { method?: string; body?: unknown } = {}) =>
  new Request(`http://localhost/api/v1${path}`, {
    method: init.method ?? "GET",
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
    },
  });
type ListBody = { runs: { id: string; tags: string[] }[] };

describe("REST API v1: tags and search", () => {
  it("starts a run with tags, lists it by tag and by a word of its inputs, and answers its tags", async () => {
    const { tenant, skill } = await createTenantWithSkill(db, {
      inputsSchema: { type: "object", properties: { topic: { type: "string" } } },
    });
    const { key } = await keyFor(tenant.id, "operator");
    const started = await api.start(
      request("/runs", key, {
        method: "POST",
        body: { skill: skill.slug, inputs: { topic: "Globex renewal" }, tags: ["customer:globex"] },
      }),
    );
    expect(started.status).toBe(201);
    const run = (await started.json()) as { id: string; tags: string[] };
    expect(run.tags).toEqual(["customer:globex"]);
    expect(runSchema.validate(run).valid).toBe(true);
    await api.start(
      request("/runs", key, { method: "POST", body: { skill: skill.slug, inputs: {} } }),
    );

    const listed = async (query: string) =>
      ((await (await api.list(request(`/runs?${query}`, key))).json()) as ListBody).runs;
    expect((await listed("tag=customer:globex")).map((row) => [row.id, row.tags])).toEqual([
      [run.id, ["customer:globex"]],
    ]);
    expect((await listed("q=globex")).map((row) => row.id)).toEqual([run.id]);
    expect(await listed("tag=customer:globex&tag=env:prod")).toEqual([]);
    expect(await listed("tag=customer:initech")).toEqual([]);
  });

  it("refuses a bad tag or search with a 400 that names the field, and changes nothing", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const { key } = await keyFor(tenant.id, "operator");
    const start = await api.start(
      request("/runs", key, { method: "POST", body: { skill: skill.slug, tags: ["Customer"] } }),
    );
    expect(start.status).toBe(400);
    expect(((await start.json()) as { error: { fields: object } }).error.fields).toHaveProperty(
      "tags.0",
    );
    expect(await db.select().from(skillRuns).where(eq(skillRuns.tenantId, tenant.id))).toEqual([]);
    for (const query of ["tag=nocolon", `q=${"x".repeat(201)}`, "q=%22%22"]) {
      const response = await api.list(request(`/runs?${query}`, key));
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
    }
  });

  it("replaces a run's tags with an operator key, audit-logged as the key; a bad tag changes nothing", async () => {
    const { tenant, skill } = await createTenantWithSkill(db);
    const { key, id: keyId } = await keyFor(tenant.id, "operator");
    const started = await api.start(
      request("/runs", key, { method: "POST", body: { skill: skill.slug, tags: ["env:prod"] } }),
    );
    const { id } = (await started.json()) as { id: string };
    const refused = await api.setTags(
      request(`/runs/${id}/tags`, key, { method: "PUT", body: { tags: ["env prod"] } }),
      id,
    );
    expect(refused.status).toBe(400);
    const changed = await api.setTags(
      request(`/runs/${id}/tags`, key, { method: "PUT", body: { tags: ["env:staging"] } }),
      id,
    );
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { tags: string[] }).tags).toEqual(["env:staging"]);
    const entries = await db
      .select({
        actorType: auditLog.actorType,
        actorId: auditLog.actorId,
        metadata: auditLog.metadata,
      })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, id), eq(auditLog.action, "run.tag")));
    expect(entries).toEqual([
      {
        actorType: "api_key",
        actorId: keyId,
        metadata: { added: ["env:staging"], removed: ["env:prod"] },
      },
    ]);
  });
});
