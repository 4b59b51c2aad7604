import { describe, expect, it } from "vitest";
import { skillRuns } from "@/server/db/schema";
import {
  createTenantWithSkill,
  openTestDatabase,
  signedInMember,
  trpcFailure,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

describe("dashboard router", () => {
  it("shows every member, a viewer too, the tenant's runs of the window", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db);
    await db.insert(skillRuns).values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      agentId: agent.id,
      source: "manual",
      inputs: {},
      status: "failed",
      failureCode: "timeout",
      failureReason: "Too slow.",
    });
    const { caller: viewer } = await signedInMember(db, auth, tenant.id, "viewer");
    const overview = await viewer.dashboard.overview({ window: "24h", skillId: skill.id });
    expect(overview).toMatchObject({
      window: "24h",
      hasRuns: true,
      totals: { runs: 1, failureRate: 1, failureCodes: [{ code: "timeout", runs: 1 }] },
    });
    // The window defaults to the last 24 hours.
    expect((await viewer.dashboard.overview({})).window).toBe("24h");
  });

  it("refuses a window it does not offer and ids that are not uuids, by field", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, tenant.id, "viewer");
    const refused = await trpcFailure(
      // @ts-expect-error -- a window the schema does not offer
      caller.dashboard.overview({ window: "1h", agentId: "nope" }),
    );
    expect(refused.code).toBe("BAD_REQUEST");
    expect(Object.keys(refused.fieldErrors ?? {}).sort()).toEqual(["agentId", "window"]);
  });

  it("answers another tenant's skill as not found, naming it", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    const { caller } = await signedInMember(db, auth, tenant.id, "owner");
    expect(
      await trpcFailure(caller.dashboard.overview({ window: "7d", skillId: other.skill.id })),
    ).toMatchObject({
      code: "NOT_FOUND",
      message: `Skill ${other.skill.id} was not found in this tenant.`,
    });
  });
});
