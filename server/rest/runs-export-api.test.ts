import { afterAll, describe, expect, it } from "vitest";
import { skillRuns } from "@/server/db/schema";
import { getDb } from "@/server/db";
import { createApiKey } from "@/server/services/access/api-keys";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { GET } from "@/app/api/v1/runs/export/route";
import { openApiDocument } from "./openapi";

const { db } = openTestDatabase();
afterAll(async () => {
  // The route uses the app's own connection (getDb); close it with the file.
  await getDb().$client.end({ timeout: 1 });
});

async function viewerKey(tenantId: string) {
  const owner = await createUser(db, [{ tenantId, role: "owner" }]);
  const created = await createApiKey(
    db,
    {
      tenantId,
      userId: owner.id,
      userRole: "owner",
      audit: { actor: { type: "user", id: owner.id }, origin: null },
    },
    { name: "viewer", role: "viewer" },
  );
  return created.key;
}

const exportWith = (key: string, query: string) =>
  GET(
    new Request(`http://localhost/api/v1/runs/export?${query}`, {
      headers: { authorization: `Bearer ${key}` },
    }),
  );

describe("GET /api/v1/runs/export", () => {
  it("streams the filtered runs as CSV with a header row, and as JSONL", async () => {
    const world = await createTenantWithSkill(db);
    const key = await viewerKey(world.tenant.id);
    const values = (status: "complete" | "failed") => ({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      source: "api" as const,
      inputs: {},
      status,
    });
    await db.insert(skillRuns).values([values("complete"), values("complete"), values("failed")]);

    const csv = await exportWith(key, `format=csv&status=complete&skill=${world.skill.slug}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const lines = (await csv.text()).trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^id,status,source,skill_slug,/);
    expect(lines).toHaveLength(3);

    const jsonl = await exportWith(key, "format=jsonl&status=complete,failed");
    expect(jsonl.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect((await jsonl.text()).trimEnd().split("\n")).toHaveLength(3);
  });

  it("answers a missing or unknown format and a bad filter with a clear 400", async () => {
    const world = await createTenantWithSkill(db);
    const key = await viewerKey(world.tenant.id);
    for (const [query, field] of [
      ["", "format"],
      ["format=xlsx", "format"],
      ["format=csv&status=done", "status"],
      ["format=csv&schedule=not-a-uuid", "schedule"],
    ] as const) {
      const response = await exportWith(key, query);
      const body = (await response.json()) as { error: { code: string; fields: object } };
      expect({ query, status: response.status, code: body.error.code }).toEqual({
        query,
        status: 400,
        code: "invalid_request",
      });
      expect(Object.keys(body.error.fields).some((name) => name.startsWith(field))).toBe(true);
    }
  });

  it("is in the OpenAPI document", () => {
    const document = openApiDocument("http://localhost") as {
      paths: Record<string, { get?: { operationId: string; parameters: { name: string }[] } }>;
    };
    const operation = document.paths["/runs/export"]?.get;
    expect(operation?.operationId).toBe("exportRuns");
    expect(operation?.parameters.map((parameter) => parameter.name)).toContain("format");
  });
});
