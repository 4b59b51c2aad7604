/**
 * The REST half of the isolation proof: every route file under app/api/v1, every method it
 * exports, has an entry. Each answers no key with 401, a key below its role with 403, and
 * another tenant's run exactly like an unknown one; every refused request leaves every table as
 * it was. Another tenant's agent and skill slug get what unknown ones get. A route added without
 * an entry fails.
 */
import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MemberRole } from "@/lib/enums";
import { MEMBER_ROLES } from "@/lib/enums";
import { roleAtLeast } from "@/lib/roles";
import { getDb } from "@/server/db";
import { skillRuns } from "@/server/db/schema";
import { createRunsApi } from "@/server/rest/runs-api";
import { createApiKey } from "@/server/services/access/api-keys";
import {
  createTenantWithSkill,
  createUser,
  fingerprintTables,
  openTestDatabase,
} from "@/test/fixtures";

const { db } = openTestDatabase();
const API_DIR = path.resolve("app/api/v1");
type Handler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;

/** "public": no key needed (the OpenAPI document). */
const MATRIX: Record<
  string,
  { role: MemberRole | "public"; body?: (slug: string) => unknown; query?: string }
> = {
  "GET /openapi.json": { role: "public" },
  "GET /runs": { role: "viewer" },
  "POST /runs": { role: "operator", body: (slug) => ({ skill: slug, inputs: {} }) },
  "GET /runs/[id]": { role: "viewer" },
  "GET /runs/export": { role: "viewer", query: "format=jsonl" },
  "POST /runs/[id]/cancel": { role: "operator" },
  "POST /runs/[id]/approve": { role: "operator", body: () => ({}) },
  "POST /runs/[id]/reject": { role: "operator", body: () => ({ reason: "Not now." }) },
  "PUT /runs/[id]/tags": { role: "operator", body: () => ({ tags: ["env:prod"] }) },
};

async function routes() {
  const files = (await readdir(API_DIR, { recursive: true })).filter((file) =>
    file.endsWith("route.ts"),
  );
  const found: { key: string; handler: Handler; path: string }[] = [];
  for (const file of files) {
    const route = `/${path.dirname(file)}`.replace(/\/\.$/, "");
    const exported = (await import(path.join(API_DIR, file))) as Record<string, Handler>;
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"])
      if (exported[method])
        found.push({ key: `${method} ${route}`, handler: exported[method], path: route });
  }
  return found;
}

const keys = {} as Record<MemberRole, string>;
let theirRunId: string;
let theirSlug: string;
let theirAgentId: string;
let mySlug: string;
let myRunId: string;

beforeAll(async () => {
  const mine = await createTenantWithSkill(db);
  const theirs = await createTenantWithSkill(db);
  const owner = await createUser(db, [{ tenantId: mine.tenant.id, role: "owner" }]);
  for (const role of MEMBER_ROLES)
    keys[role] = (
      await createApiKey(
        db,
        {
          tenantId: mine.tenant.id,
          userId: owner.id,
          userRole: "owner",
          audit: { actor: { type: "user", id: owner.id }, origin: null },
        },
        { name: role, role },
      )
    ).key;
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: theirs.tenant.id,
      skillId: theirs.skill.id,
      skillVersion: "v1",
      source: "api",
      inputs: {},
    })
    .returning();
  theirRunId = run!.id;
  theirSlug = theirs.skill.slug;
  theirAgentId = theirs.agent.id;
  const [myRun] = await db
    .insert(skillRuns)
    .values({
      tenantId: mine.tenant.id,
      skillId: mine.skill.id,
      skillVersion: "v1",
      source: "api",
      inputs: {},
    })
    .returning();
  myRunId = myRun!.id;
  mySlug = mine.skill.slug;
});

/** The response to a request that must be refused; it must have left every table as it was. */
async function refused(send: () => Promise<Response>) {
  const before = await fingerprintTables(db);
  const response = await send();
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(await fingerprintTables(db), "a refused request changed the database").toEqual(before);
  return response;
}
const mask = (text: string, ...ids: string[]) =>
  ids.reduce((masked, id) => masked.replaceAll(id, "<id>"), text);
afterAll(async () => {
  // The routes use the app's own connection (getDb); close it with the file.
  await getDb().$client.end({ timeout: 1 });
});

function call(
  route: { handler: Handler; path: string; key: string },
  key: string | null,
  runId: string,
  slug = theirSlug,
) {
  const method = route.key.split(" ")[0]!;
  const body = MATRIX[route.key]?.body?.(slug);
  const query = MATRIX[route.key]?.query;
  const url = `http://localhost/api/v1${route.path.replace("[id]", runId)}${query ? `?${query}` : ""}`;
  const request = new Request(url, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return route.handler(request, { params: Promise.resolve({ id: runId }) });
}

describe("REST isolation, for every route", () => {
  it("has an entry for every route and method under app/api/v1, and no stale ones", async () => {
    expect((await routes()).map((route) => route.key).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it("refuses no key, refuses roles below the route's, and answers another tenant's run like an unknown one", async () => {
    for (const route of await routes()) {
      const entry = MATRIX[route.key]!;
      if (entry.role === "public") {
        expect({
          route: route.key,
          status: (await call(route, null, randomUUID())).status,
        }).toEqual({ route: route.key, status: 200 });
        continue;
      }
      expect({
        route: route.key,
        status: (await refused(() => call(route, null, theirRunId))).status,
      }).toEqual({ route: route.key, status: 401 });
      for (const role of MEMBER_ROLES.filter(
        (candidate) => !roleAtLeast(candidate, entry.role as MemberRole),
      )) {
        expect({
          route: route.key,
          role,
          status: (await refused(() => call(route, keys[role], theirRunId))).status,
        }).toEqual({ route: route.key, role, status: 403 });
      }
      if (!route.path.includes("[id]") && route.key !== "POST /runs") {
        const listed = await (await call(route, keys.owner, theirRunId)).text();
        expect(listed).not.toContain(theirRunId);
        continue;
      }
      const unknownId = randomUUID();
      const unknownSlug = `no-such-skill-${unknownId.slice(0, 8)}`;
      const foreign = await refused(() => call(route, keys.owner, theirRunId, theirSlug));
      const unknown = await refused(() => call(route, keys.owner, unknownId, unknownSlug));
      expect({
        route: route.key,
        status: foreign.status,
        body: mask(await foreign.text(), theirRunId, theirSlug),
      }).toEqual({
        route: route.key,
        status: 404,
        body: mask(await unknown.text(), unknownId, unknownSlug),
      });
    }
  });

  it("answers another tenant's agent in POST /runs exactly like an unknown agent, and starts nothing", async () => {
    const start = (agentId: string) =>
      refused(() =>
        createRunsApi({ db: () => db, dispatcher: { send: async () => ({ ids: [] }) } }).start(
          new Request("http://localhost/api/v1/runs", {
            method: "POST",
            headers: { authorization: `Bearer ${keys.owner}`, "content-type": "application/json" },
            body: JSON.stringify({ skill: mySlug, agentId, inputs: {} }),
          }),
        ),
      );
    const unknownAgentId = randomUUID();
    const foreign = await start(theirAgentId);
    const unknown = await start(unknownAgentId);
    expect({ status: foreign.status, body: mask(await foreign.text(), theirAgentId) }).toEqual({
      status: unknown.status,
      body: mask(await unknown.text(), unknownAgentId),
    });
    expect(foreign.status).toBe(404);
  });

  it("lists nothing of another tenant's skill when its slug is the filter, as for an unknown slug", async () => {
    const list = async (slug: string) => {
      const response = await createRunsApi({
        db: () => db,
        dispatcher: { send: async () => ({ ids: [] }) },
      }).list(
        new Request(`http://localhost/api/v1/runs?skill=${encodeURIComponent(slug)}`, {
          headers: { authorization: `Bearer ${keys.viewer}` },
        }),
      );
      return { status: response.status, body: await response.text() };
    };
    const foreign = await list(theirSlug);
    expect(foreign.body).not.toContain(theirRunId);
    expect(foreign).toEqual(await list(`no-such-skill-${randomUUID().slice(0, 8)}`));
    expect((await list(mySlug)).body).toContain(myRunId);
  });

  it("exports nothing of another tenant's skill when its slug is the filter, as for an unknown slug", async () => {
    const exported = async (slug: string) => {
      const response = await createRunsApi({
        db: () => db,
        dispatcher: { send: async () => ({ ids: [] }) },
      }).export(
        new Request(
          `http://localhost/api/v1/runs/export?format=jsonl&skill=${encodeURIComponent(slug)}`,
          { headers: { authorization: `Bearer ${keys.viewer}` } },
        ),
      );
      return { status: response.status, body: await response.text() };
    };
    const foreign = await exported(theirSlug);
    expect(foreign).toEqual({ status: 200, body: "" });
    expect(foreign).toEqual(await exported(`no-such-skill-${randomUUID().slice(0, 8)}`));
    expect((await exported(mySlug)).body).toContain(myRunId);
  });
});
