import { and, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SEARCH_CHARS } from "@/lib/run-list";
import { MAX_TAGS_PER_RUN } from "@/lib/run-tags";
import { listRunsInput, startRunInput } from "@/lib/schemas/runs";
import { webhookInput } from "@/lib/schemas/webhooks";
import { auditLog, schedules, skillRuns, type SkillInputsSchema } from "@/server/db/schema";
import { fireDueSchedules } from "@/server/services/schedules/schedule-firing";
import { runScheduleNow } from "@/server/services/schedules/schedules";
import {
  acceptDelivery,
  findDeliverableWebhook,
} from "@/server/services/webhooks/webhook-deliveries";
import { createWebhook } from "@/server/services/webhooks/webhooks";
import { createTenantWithSkill, createUser, openTestDatabase } from "@/test/fixtures";
import { listRuns } from "./run-queries";
import { matchesSearch, newestSearchMatches } from "./run-search";
import { RunNotFoundError } from "./run-errors";
import { setRunTags } from "./run-tags";
import { rerunRun, startRun, type RunDispatcher } from "./runs";

const { db } = openTestDatabase();
/** The engine is outside the system: the runs stay queued. */
const dispatcher: RunDispatcher = { send: async () => ({ ids: [] }) };
const deps = { db, dispatcher };

const TOPIC: SkillInputsSchema = {
  type: "object",
  properties: { topic: { type: "string", title: "Topic" } },
};

type Seeded = { topic: string; deliverable?: string; tags?: string[]; status?: "complete" };

/** A tenant whose runs are these, oldest first (a minute apart). */
async function tenantWithRuns(runs: Seeded[]) {
  const world = await createTenantWithSkill(db, { inputsSchema: TOPIC });
  const ids: string[] = [];
  for (const [index, run] of runs.entries()) {
    const [row] = await db
      .insert(skillRuns)
      .values({
        tenantId: world.tenant.id,
        skillId: world.skill.id,
        skillVersion: "v1",
        source: "api",
        inputs: { topic: run.topic },
        tags: run.tags ?? [],
        status: run.deliverable ? "complete" : "queued",
        deliverable: run.deliverable
          ? { type: "inline", format: "markdown", payload: run.deliverable }
          : null,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, index)),
      })
      .returning({ id: skillRuns.id });
    ids.push(row!.id);
  }
  return { ...world, ids };
}

const list = (tenantId: string, filters: Parameters<typeof listRunsInput.parse>[0]) =>
  listRuns(db, tenantId, { filters: listRunsInput.parse(filters), limit: 50 });

describe("searching the history", () => {
  it("finds a run by a word only its deliverable holds, and marks it in the deliverable's snippet", async () => {
    const { tenant, ids } = await tenantWithRuns([
      { topic: "Quarterly review", deliverable: "Nothing to report." },
      { topic: "Renewal", deliverable: "Zorblax Industries asked for a discount on the renewal." },
      { topic: "Kickoff" },
    ]);
    const { runs } = await list(tenant.id, { search: "zorblax" });
    expect(runs.map((run) => run.id)).toEqual([ids[1]]);
    expect(runs[0]?.searchHit).toMatchObject({ field: "deliverable" });
    const marked = runs[0]?.searchHit?.parts.filter((part) => part.match).map((part) => part.text);
    expect(marked).toEqual(["Zorblax"]);
    expect(runs[0]?.searchHit?.parts.map((part) => part.text).join("")).toContain("discount");
  });

  it("finds a run by its inputs, names, ids and numbers as written, with a snippet from the inputs", async () => {
    const { tenant, ids } = await tenantWithRuns([
      { topic: "Ticket ACME-4711 for acme.example.com" },
      { topic: "acmeish and tickets" },
    ]);
    for (const words of ["ACME-4711", "acme", "acme.example.com", "TICKET"]) {
      const { runs } = await list(tenant.id, { search: words });
      expect(
        runs.map((run) => run.id),
        words,
      ).toEqual([ids[0]]);
      expect(runs[0]?.searchHit?.field).toBe("inputs");
    }
  });

  it("reads web-search syntax: phrases, or, and excluded words", async () => {
    const { tenant, ids } = await tenantWithRuns([
      { topic: "red apple pie" },
      { topic: "apple red pie" },
      { topic: "green pear" },
    ]);
    const idsOf = async (search: string) =>
      (await list(tenant.id, { search })).runs.map((run) => run.id).sort();
    expect(await idsOf('"red apple"')).toEqual([ids[0]]);
    expect(await idsOf("pear or apple")).toEqual([...ids].sort());
    expect(await idsOf("pie -green -red")).toEqual([]);
    expect(await idsOf("apple -pear")).toEqual([ids[0], ids[1]].sort());
  });

  it("combines with the other filters and pages by keyset without repeats or gaps", async () => {
    const seeded: Seeded[] = Array.from({ length: 7 }, (_, index) => ({
      topic: index % 2 ? "invoice dispute" : "invoice paid",
      deliverable: index % 3 === 0 ? "Settled." : undefined,
    }));
    const { tenant, ids } = await tenantWithRuns(seeded);
    const expected = ids.filter((_, index) => index % 2 === 1).reverse();
    const seen: string[] = [];
    let cursor: { createdAt: Date; id: string } | null = null;
    do {
      const page: Awaited<ReturnType<typeof listRuns>> = await listRuns(db, tenant.id, {
        filters: listRunsInput.parse({ search: "dispute" }),
        cursor,
        limit: 2,
      });
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(expected);

    const completeDisputes = await list(tenant.id, { search: "dispute", status: "complete" });
    expect(completeDisputes.runs.map((run) => run.id)).toEqual([ids[3]]);
  });

  it("pages newest first past the runs a search reads one by one, and within a date range, without repeats or gaps", async () => {
    const world = await createTenantWithSkill(db, { inputsSchema: TOPIC });
    const [clock] = await db.execute<{ now: string }>(sql`select now()::text as now`);
    const now = new Date(clock!.now).getTime();
    const minute = 60 * 1000;
    const day = 24 * 60 * minute;
    // Needles: one among the newest runs, the rest behind more than 2,000 newer runs of hay.
    const needleAges = [5 * minute, 3 * day, 20 * day, 100 * day, 400 * day];
    const run = (topic: string, age: number) => ({
      tenantId: world.tenant.id,
      skillId: world.skill.id,
      skillVersion: "v1",
      source: "api" as const,
      inputs: { topic },
      status: "queued" as const,
      createdAt: new Date(now - age),
    });
    const needles = await db
      .insert(skillRuns)
      .values(needleAges.map((age) => run("needle here", age)))
      .returning({ id: skillRuns.id });
    await db
      .insert(skillRuns)
      .values(
        Array.from({ length: 2_100 }, (_, index) => run("hay only", minute + index * 30_000)),
      );
    const pages = async (filters: Parameters<typeof listRunsInput.parse>[0], limit: number) => {
      const seen: string[] = [];
      let cursor: { createdAt: Date; id: string } | null = null;
      do {
        const page: Awaited<ReturnType<typeof listRuns>> = await listRuns(db, world.tenant.id, {
          filters: listRunsInput.parse(filters),
          cursor,
          limit,
        });
        seen.push(...page.runs.map((run) => run.id));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const newestFirst = needles.map((needle) => needle.id);
    for (const limit of [1, 3, 50])
      expect(await pages({ search: "needle" }, limit)).toEqual(newestFirst);
    expect(await pages({ search: "needle", createdBefore: new Date(now - 2 * day) }, 2)).toEqual(
      newestFirst.slice(1),
    );
  });

  it("takes exactly the newest matches through any of its three parts, for any mix of runs, page, cursor and walk sizes", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Oldest first: does the run hold the word (at a density of 1 to 9 in 10); runs two at
        // a time share a created_at.
        fc
          .tuple(
            fc.integer({ min: 1, max: 9 }),
            fc.array(fc.nat(9), { maxLength: 60, size: "max" }),
          )
          .map(([density, draws]) => draws.map((draw) => draw < density)),
        fc.integer({ min: 1, max: 15 }),
        fc.option(fc.nat(), { nil: null }),
        // Walks short against the page, so every part is reached.
        fc.record({
          firstRows: fc.integer({ min: 1, max: 8 }),
          denseHits: fc.integer({ min: 1, max: 3 }),
          denseRows: fc.integer({ min: 1, max: 12 }),
        }),
        async (holdsWord, limit, cursorPick, walk) => {
          const world = await createTenantWithSkill(db, { inputsSchema: TOPIC });
          const rows = holdsWord.length
            ? await db
                .insert(skillRuns)
                .values(
                  holdsWord.map((word, index) => ({
                    tenantId: world.tenant.id,
                    skillId: world.skill.id,
                    skillVersion: "v1",
                    source: "api" as const,
                    inputs: { topic: word ? "needle in hay" : "hay only" },
                    createdAt: new Date(Date.UTC(2026, 0, 1, 0, Math.floor(index / 2))),
                  })),
                )
                .returning({ id: skillRuns.id, createdAt: skillRuns.createdAt })
            : [];
          const cursor =
            cursorPick === null || !rows.length ? null : rows[cursorPick % rows.length]!;
          const narrowing = and(
            eq(skillRuns.tenantId, world.tenant.id),
            cursor
              ? sql`(${skillRuns.createdAt}, ${skillRuns.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id})`
              : undefined,
          );
          const found = await db
            .select({ id: skillRuns.id })
            .from(skillRuns)
            .where(
              sql`${skillRuns.id} in (${newestSearchMatches(narrowing, "needle", limit, walk)})`,
            );
          const newest = await db
            .select({ id: skillRuns.id })
            .from(skillRuns)
            .where(and(narrowing, matchesSearch("needle")))
            .orderBy(sql`${skillRuns.createdAt} desc, ${skillRuns.id} desc`)
            .limit(limit);
          expect(found.map((run) => run.id).sort()).toEqual(newest.map((run) => run.id).sort());
        },
      ),
      { numRuns: 100 },
    );
  });

  it("never shows another tenant's runs, and text cannot fake a match marker", async () => {
    const mine = await tenantWithRuns([{ topic: "shared\u0002word\u0003 here" }]);
    await tenantWithRuns([{ topic: "sharedword elsewhere" }]);
    expect((await list(mine.tenant.id, { search: "sharedword" })).runs).toEqual([]);
    const { runs } = await list(mine.tenant.id, { search: "here" });
    expect(runs[0]?.searchHit?.parts.filter((part) => part.match)).toEqual([
      { text: "here", match: true },
    ]);
  });

  it("refuses a search that is too long or has no word, before touching the database", () => {
    expect(listRunsInput.safeParse({ search: "x".repeat(MAX_SEARCH_CHARS + 1) }).success).toBe(
      false,
    );
    const punctuation = listRunsInput.safeParse({ search: '"" -- !!' });
    expect(punctuation.success).toBe(false);
    expect(punctuation.error?.issues[0]?.message).toBe("Search for at least one word or number");
    expect(listRunsInput.parse({ search: "  acme  " }).search).toBe("acme");
  });
});

describe("tags", () => {
  it("checks the syntax and the count, and keeps each tag once", () => {
    const parse = (tags: string[]) => startRunInput.safeParse({ skillSlug: "s", inputs: {}, tags });
    expect(parse(["customer:Acme Corp", "env:prod", "env:prod"]).data?.tags).toEqual([
      "customer:Acme Corp",
      "env:prod",
    ]);
    for (const bad of ["nocolon", ":value", "key:", "Key:v", "key: v", "key:a,b", "k\u0000:v"])
      expect(parse([bad]).success, bad).toBe(false);
    expect(parse(["key:" + "v".repeat(101)]).success).toBe(false);
    const many = Array.from({ length: MAX_TAGS_PER_RUN + 1 }, (_, index) => `n:${index}`);
    expect(parse(many).success).toBe(false);
    expect(parse(["team:a", "team:b"]).success).toBe(true);
  });

  it("filters by every tag given, with search and by page", async () => {
    const { tenant, ids } = await tenantWithRuns([
      { topic: "one", tags: ["env:prod", "customer:acme"] },
      { topic: "two", tags: ["env:prod"] },
      { topic: "three", tags: ["env:staging", "customer:acme"] },
      { topic: "four one", tags: ["env:prod", "customer:acme"] },
    ]);
    const idsOf = async (filters: Parameters<typeof listRunsInput.parse>[0]) =>
      (await list(tenant.id, filters)).runs.map((run) => run.id);
    expect(await idsOf({ tags: ["env:prod"] })).toEqual([ids[3], ids[1], ids[0]]);
    expect(await idsOf({ tags: ["env:prod", "customer:acme"] })).toEqual([ids[3], ids[0]]);
    expect(await idsOf({ tags: ["customer:acme"], search: "one" })).toEqual([ids[3], ids[0]]);
    expect(await idsOf({ tags: ["env:nowhere"] })).toEqual([]);
    const [first] = (await list(tenant.id, { tags: ["env:staging"] })).runs;
    expect(first?.tags).toEqual(["env:staging", "customer:acme"]);
  });

  it("are set by Run now and REST alike (startRun), and a re-run keeps them unless told otherwise", async () => {
    const { tenant, skill } = await createTenantWithSkill(db, { inputsSchema: TOPIC });
    const started = await startRun(deps, {
      tenantId: tenant.id,
      skill: { slug: skill.slug },
      inputs: { topic: "x" },
      source: "manual",
      tags: ["customer:acme", "customer:acme", "env:prod"],
    });
    const tagsOf = async (runId: string) =>
      (await db.select({ tags: skillRuns.tags }).from(skillRuns).where(eq(skillRuns.id, runId)))[0]
        ?.tags;
    expect(await tagsOf(started.run.id)).toEqual(["customer:acme", "env:prod"]);
    const kept = await rerunRun(deps, { tenantId: tenant.id, runId: started.run.id });
    expect(await tagsOf(kept.run.id)).toEqual(["customer:acme", "env:prod"]);
    const changed = await rerunRun(deps, {
      tenantId: tenant.id,
      runId: started.run.id,
      tags: ["env:staging"],
    });
    expect(await tagsOf(changed.run.id)).toEqual(["env:staging"]);
  });

  it("are set by a schedule's slots and its Run now", async () => {
    const { tenant, skill, agent } = await createTenantWithSkill(db, { inputsSchema: TOPIC });
    const user = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const [schedule] = await db
      .insert(schedules)
      .values({
        tenantId: tenant.id,
        name: "Daily",
        skillId: skill.id,
        agentId: agent.id,
        inputs: { topic: { kind: "literal", value: "daily" } },
        tags: ["cadence:daily"],
        cron: "* * * * *",
        timezone: "UTC",
        nextFireAt: new Date("2026-11-24T09:00:00Z"),
      })
      .returning();
    await fireDueSchedules(deps, { now: new Date("2026-11-24T09:00:30Z") });
    await runScheduleNow(deps, {
      tenantId: tenant.id,
      scheduleId: schedule!.id,
      userId: user.id,
      audit: { actor: { type: "user", id: user.id }, origin: null },
    });
    const runs = await db
      .select({ tags: skillRuns.tags })
      .from(skillRuns)
      .where(eq(skillRuns.scheduleId, schedule!.id));
    expect(runs.map((run) => run.tags)).toEqual([["cadence:daily"], ["cadence:daily"]]);
  });

  it("are set by a webhook: its static tags plus values read from the payload", async () => {
    const { tenant, skill } = await createTenantWithSkill(db, { inputsSchema: TOPIC });
    const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
    const scope = {
      tenantId: tenant.id,
      userId: admin.id,
      audit: { actor: { type: "user" as const, id: admin.id }, origin: null },
    };
    const { id } = await createWebhook(
      db,
      scope,
      webhookInput.parse({
        name: "Tickets",
        skillId: skill.id,
        agentId: null,
        inputMapping: { topic: { pointer: "/title" } },
        tags: ["via:helpdesk"],
        tagMapping: { customer: "/customer/name", priority: "/priority", missing: "/nope" },
        rateLimitPerMinute: 60,
        enabled: true,
      }),
    );
    const webhook = await findDeliverableWebhook(db, id);
    if (!webhook) throw new Error("the webhook is not deliverable");
    const outcome = await acceptDelivery(deps, webhook, {
      payload: { title: "Login broken", customer: { name: "  Acme,\n Corp " }, priority: 2 },
      deliveryId: null,
      bodyBytes: 80,
    });
    if (outcome.verdict !== "accepted") throw new Error(`delivery ${outcome.verdict}`);
    const [run] = await db
      .select({ tags: skillRuns.tags })
      .from(skillRuns)
      .where(eq(skillRuns.webhookId, id));
    expect(run?.tags).toEqual(["via:helpdesk", "customer:Acme Corp", "priority:2"]);
  });

  it("refuses a webhook whose tag keys or pointers are not valid, and too many tags", async () => {
    const { tenant, skill } = await createTenantWithSkill(db, { inputsSchema: TOPIC });
    const admin = await createUser(db, [{ tenantId: tenant.id, role: "admin" }]);
    const scope = {
      tenantId: tenant.id,
      userId: admin.id,
      audit: { actor: { type: "user" as const, id: admin.id }, origin: null },
    };
    const base = {
      name: "W",
      skillId: skill.id,
      agentId: null,
      inputMapping: {},
      rateLimitPerMinute: 60,
      enabled: true,
    };
    expect(webhookInput.safeParse({ ...base, tagMapping: { "Bad Key": "/a" } }).success).toBe(
      false,
    );
    const tooMany = {
      ...base,
      tags: Array.from({ length: MAX_TAGS_PER_RUN }, (_, index) => `n:${index}`),
      tagMapping: { extra: "/x" },
    };
    await expect(createWebhook(db, scope, webhookInput.parse(tooMany))).rejects.toMatchObject({
      fieldErrors: { tags: [expect.stringContaining("at most 20 tags")] },
    });
    await expect(
      createWebhook(
        db,
        scope,
        webhookInput.parse({ ...base, tagMapping: { customer: "no-slash" } }),
      ),
    ).rejects.toMatchObject({ fieldErrors: { "tagMapping.customer": [expect.any(String)] } });
  });

  it("are replaced by an operator with one audit entry of what changed; nothing changes, nothing is logged", async () => {
    const { tenant, ids } = await tenantWithRuns([{ topic: "x", tags: ["env:prod"] }]);
    const other = await tenantWithRuns([{ topic: "y", tags: ["env:prod"] }]);
    const user = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const audit = { actor: { type: "user" as const, id: user.id }, origin: null };
    const runId = ids[0]!;
    await setRunTags(db, { tenantId: tenant.id, runId, tags: ["env:prod", "owner:ann"] }, audit);
    await setRunTags(db, { tenantId: tenant.id, runId, tags: ["owner:ann", "env:prod"] }, audit);
    const entries = await db
      .select({ action: auditLog.action, metadata: auditLog.metadata })
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, tenant.id), eq(auditLog.targetId, runId)));
    expect(entries).toEqual([
      { action: "run.tag", metadata: { added: ["owner:ann"], removed: [] } },
    ]);
    await expect(
      setRunTags(db, { tenantId: tenant.id, runId: other.ids[0]!, tags: [] }, audit),
    ).rejects.toBeInstanceOf(RunNotFoundError);
    const [untouched] = await db
      .select({ tags: skillRuns.tags })
      .from(skillRuns)
      .where(eq(skillRuns.id, other.ids[0]!));
    expect(untouched?.tags).toEqual(["env:prod"]);
  });
});
