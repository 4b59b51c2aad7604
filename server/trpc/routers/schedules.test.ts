import { describe, expect, it } from "vitest";
import { schedules } from "@/server/db/schema";
import { callerFor, createTenantWithSkill, createUser, openTestDatabase, signIn } from "@/test/fixtures";

const { db, auth } = openTestDatabase();

describe("schedules router", () => {
  it("lists only the caller's tenant's schedules, optionally of one skill", async () => {
    const mine = await createTenantWithSkill(db);
    const theirs = await createTenantWithSkill(db);
    const other = await createTenantWithSkill(db);
    await db.insert(schedules).values([
      { tenantId: mine.tenant.id, name: "Weekday digest", skillId: mine.skill.id, cron: "30 8 * * 1-5", timezone: "Europe/Berlin" },
      { tenantId: theirs.tenant.id, name: "Their digest", skillId: theirs.skill.id, cron: "0 9 * * *", timezone: "UTC" },
    ]);
    const viewer = await createUser(db, [{ tenantId: mine.tenant.id, role: "viewer" }]);
    const caller = await callerFor(db, auth, await signIn(auth, viewer.email));

    expect((await caller.schedules.list()).map((schedule) => schedule.name)).toEqual(["Weekday digest"]);
    expect(await caller.schedules.list({ skillId: mine.skill.id })).toHaveLength(1);
    expect(await caller.schedules.list({ skillId: theirs.skill.id })).toEqual([]);
    expect(await caller.schedules.list({ skillId: other.skill.id })).toEqual([]);
  });
});
