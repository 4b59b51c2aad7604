import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { skillRuns, skills, type SkillInputsSchema } from "@/server/db/schema";
import { createTenantWithSkill, openTestDatabase } from "@/test/fixtures";
import { listRuns } from "./run-queries";

const { db } = openTestDatabase();

/** Meeting prep as an operator meets it: the optional inputs sort before the required ones alphabetically. */
const QBR_SCHEMA: SkillInputsSchema = {
  type: "object",
  required: ["meetingDate", "topic"],
  properties: {
    attendees: { type: "array", title: "Attendees", items: { type: "string" } },
    durationMinutes: { type: "integer", title: "Duration" },
    topic: { type: "string", title: "Topic" },
    meetingDate: { type: "string", format: "date", title: "Meeting date" },
    goal: { type: "string", title: "Goal" },
  },
};

/** Runs of one skill, oldest first; returns the page newest first as the history shows it. */
async function listed(inputsSchema: SkillInputsSchema, runInputs: Record<string, unknown>[]) {
  const { tenant, skill } = await createTenantWithSkill(db, { inputsSchema });
  for (const [index, inputs] of runInputs.entries()) {
    await db.insert(skillRuns).values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      source: "api",
      inputs,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, index)),
    });
  }
  const { runs } = await listRuns(db, tenant.id, { limit: 50 });
  return {
    runs: runs.map((run) => ({ title: run.inputsTitle, summary: run.inputsSummary })),
    skill,
  };
}

describe("how the history names a run", () => {
  it("summarises required inputs first, then the rest, each in declared order; unknown keys last, alphabetically", async () => {
    const schema: SkillInputsSchema = {
      ...QBR_SCHEMA,
      required: ["durationMinutes", "meetingDate"],
    };
    const { runs } = await listed(schema, [
      {
        zulu: "old",
        attendees: ["Ann", "Bob"],
        goal: "Renewal",
        meetingDate: "2026-01-12",
        topic: "Acme QBR",
        durationMinutes: 45,
        alpha: "older",
      },
    ]);
    // No x-skillrun-title and no required free-text input: no title, everything is in the summary.
    expect(runs).toEqual([
      {
        title: null,
        summary:
          "durationMinutes: 45 · meetingDate: 2026-01-12 · attendees: Ann, Bob · topic: Acme QBR · goal: Renewal · alpha: older · zulu: old",
      },
    ]);
  });

  it("leaves out empty values, which tell runs apart no more than a missing one", async () => {
    const { runs } = await listed({ ...QBR_SCHEMA, required: [] }, [
      {
        attendees: [],
        durationMinutes: 30,
        topic: "   ",
        meetingDate: null,
        goal: "",
        extra: {},
        urgent: false,
      },
    ]);
    expect(runs).toEqual([{ title: null, summary: "durationMinutes: 30 · urgent: false" }]);
  });

  it("shows the input x-skillrun-title names as the title, and the rest as the summary", async () => {
    const { runs } = await listed({ ...QBR_SCHEMA, "x-skillrun-title": "goal" }, [
      {
        attendees: [],
        durationMinutes: 30,
        topic: "Customer QBR",
        meetingDate: "2026-01-12",
        goal: "Agree the renewal",
      },
    ]);
    expect(runs).toEqual([
      {
        title: "Agree the renewal",
        summary: "topic: Customer QBR · meetingDate: 2026-01-12 · durationMinutes: 30",
      },
    ]);
  });

  it("tells apart seven runs that differ only in their first required text input, declared after the others", async () => {
    const runInputs = Array.from({ length: 7 }, (_, index) => ({
      attendees: [],
      durationMinutes: 30,
      meetingDate: "2026-01-12",
      topic: `Customer QBR #${index + 1}`,
    }));
    const { runs } = await listed(QBR_SCHEMA, runInputs);
    expect(runs.map((run) => run.title)).toEqual(runInputs.map((inputs) => inputs.topic).reverse());
    expect(runs[0]?.summary).toBe("meetingDate: 2026-01-12 · durationMinutes: 30");
  });

  it("puts a required input that differs at the start of the summary when there is no title", async () => {
    const schema: SkillInputsSchema = { ...QBR_SCHEMA, required: ["meetingDate"] };
    const { runs } = await listed(schema, [
      { attendees: ["Ann"], durationMinutes: 30, topic: "Same", meetingDate: "2026-01-12" },
      { attendees: ["Ann"], durationMinutes: 30, topic: "Same", meetingDate: "2026-02-09" },
    ]);
    // The history cuts the summary to one line; the difference must be inside it.
    expect(runs.map((run) => run.summary.slice(0, 25))).toEqual([
      "meetingDate: 2026-02-09 ·",
      "meetingDate: 2026-01-12 ·",
    ]);
  });

  it("cuts long values short on one line, so a page never carries whole documents", async () => {
    const { runs } = await listed(QBR_SCHEMA, [
      {
        topic: `Acme\n\n  renewal ${"x".repeat(500)}`,
        meetingDate: "2026-01-12",
        goal: `g${"y".repeat(500)}`,
      },
    ]);
    const [run] = runs;
    expect(run?.title).toBe(`Acme renewal ${"x".repeat(66)}…`);
    expect(run?.summary).toBe(`meetingDate: 2026-01-12 · goal: g${"y".repeat(58)}…`);
  });

  it("follows the skill's current schema (old versions' schemas are not kept)", async () => {
    const { runs: before, skill } = await listed(QBR_SCHEMA, [
      { topic: "Acme", meetingDate: "2026-01-12", goal: "Renewal" },
    ]);
    expect(before[0]?.title).toBe("Acme");
    await db
      .update(skills)
      .set({ summaryOrder: ["goal", "meetingDate", "topic"], titleInput: "goal" })
      .where(eq(skills.id, skill.id));
    const { runs: after } = await listRuns(db, skill.tenantId ?? "", { limit: 1 });
    expect(after.map((run) => [run.inputsTitle, run.inputsSummary])).toEqual([
      ["Renewal", "meetingDate: 2026-01-12 · topic: Acme"],
    ]);
  });
});
