import { beforeAll, describe, expect, it } from "vitest";
import { skillRuns } from "@/server/db/schema";
import { createTenantWithSkill, createUser, openTestDatabase, signIn } from "@/test/fixtures";
import { createSessionExport } from "./session-export";

const { db, auth } = openTestDatabase();
const exportFor = createSessionExport({ db: () => db, auth: () => auth });

let session: Headers;
let mine: Awaited<ReturnType<typeof createTenantWithSkill>>;
let theirs: Awaited<ReturnType<typeof createTenantWithSkill>>;
let myRunId: string;
let theirRunId: string;

async function runOf(world: typeof mine) {
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      source: "manual",
      inputs: {},
      status: "complete",
    })
    .returning({ id: skillRuns.id });
  return run!.id;
}

beforeAll(async () => {
  mine = await createTenantWithSkill(db);
  theirs = await createTenantWithSkill(db);
  myRunId = await runOf(mine);
  theirRunId = await runOf(theirs);
  const viewer = await createUser(db, [{ tenantId: mine.tenant.id, role: "viewer" }]);
  session = await signIn(auth, viewer.email);
});

function request(query: string, headers: HeadersInit = session) {
  return new Request(`http://localhost/api/runs/export?${query}`, { headers });
}
const body = async (response: Response) => ({
  status: response.status,
  text: await response.text(),
});

describe("the console's export route", () => {
  it("streams the signed-in member's tenant runs, any role", async () => {
    const response = await exportFor(request(`format=jsonl&tenant=${mine.tenant.id}`), {});
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="runs-/);
    const { status, text } = await body(response);
    expect(status).toBe(200);
    expect(text).toContain(myRunId);
    expect(text).not.toContain(theirRunId);
  });

  it("refuses without a session", async () => {
    const response = await exportFor(
      request(`format=csv&tenant=${mine.tenant.id}`, new Headers()),
      {},
    );
    expect(response.status).toBe(401);
  });

  it("refuses another tenant, as for tRPC calls", async () => {
    const { status, text } = await body(
      await exportFor(request(`format=csv&tenant=${theirs.tenant.id}`), {}),
    );
    expect(status).toBe(403);
    expect(text).toContain("You are not a member of this tenant.");
    expect(text).not.toContain(theirRunId);
  });

  it("asks for the tab's tenant when the link names none", async () => {
    const { status, text } = await body(await exportFor(request("format=csv"), {}));
    expect(status).toBe(412);
    expect(text).toContain("does not say which tenant");
  });

  it("refuses a request from another site", async () => {
    const headers = new Headers(session);
    headers.set("sec-fetch-site", "cross-site");
    const response = await exportFor(request(`format=csv&tenant=${mine.tenant.id}`, headers), {});
    expect(response.status).toBe(403);
  });

  it("refuses the filters runs.list refuses, with their field errors, never an empty file", async () => {
    const refused = async (filters: Parameters<typeof exportFor>[1]) => {
      const response = await exportFor(request(`format=csv&tenant=${mine.tenant.id}`), filters);
      expect(response.status).toBe(400);
      return (await response.json()) as {
        error: { code: string; fields: Record<string, string[]> };
      };
    };
    expect(await refused({ tags: ["no colon"] })).toMatchObject({
      error: { code: "invalid_request", fields: { tags: [expect.any(String)] } },
    });
    expect(await refused({ tags: ["a:1", "b:2", "c:3", "d:4", "e:5", "f:6"] })).toMatchObject({
      error: { fields: { tags: ["Filter by at most 5 tags"] } },
    });
    expect(await refused({ search: "!!! ???" })).toMatchObject({
      error: { fields: { search: ["Search for at least one word or number"] } },
    });
    expect((await refused({ search: "word ".repeat(200) })).error.fields.search?.[0]).toMatch(
      /^Search for at most \d+ characters$/,
    );
  });

  it("refuses an unknown format with a clear error", async () => {
    const { status, text } = await body(
      await exportFor(request(`format=xlsx&tenant=${mine.tenant.id}`), {}),
    );
    expect(status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({
      error: { code: "invalid_request", fields: { format: ["must be one of csv, jsonl"] } },
    });
  });
});
