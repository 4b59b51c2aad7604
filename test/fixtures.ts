import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { hashPassword } from "better-auth/crypto";
import { eq, getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { Inngest } from "inngest";
import { afterAll } from "vitest";
import { ZodError, z } from "zod";
import type { TERMINAL_RUN_STATUSES } from "@/lib/enums";
import { TENANT_HEADER } from "@/lib/tenant-header";
import { createAuth, type Auth } from "@/server/auth/config";
import { createDatabase, type Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import {
  accounts,
  agents,
  agentSkills,
  agentTemplates,
  memberships,
  skillRuns,
  skills,
  tenants,
  tenantSettings,
  users,
  type MemberRole,
  type SkillInputsSchema,
} from "@/server/db/schema";
import { createTRPCContext } from "@/server/trpc/init";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { inputsColumnsOf } from "@/server/services/catalog/skills";
import { createCaller } from "@/server/trpc/root";

/** The test file's own database (see setup-database.ts), closed after the file. */
export function openTestDatabase(): { db: Database; auth: Auth } {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: is test/setup-database.ts in setupFiles?");
  const { db, close } = createDatabase(url, { max: 4 });
  afterAll(close);
  return { db, auth: createAuth(db) };
}

export async function createTenant(db: Database, name = `Tenant ${randomUUID().slice(0, 8)}`) {
  const id = randomUUID();
  await db.insert(tenants).values({ id, name, slug: `t-${id.slice(0, 12)}` });
  await db.insert(tenantSettings).values({ tenantId: id });
  return { id, name };
}

export const TEST_PASSWORD = "correct-horse-battery";

// scrypt is slow on purpose (~170 ms): one hash serves every user a file makes. A salt per user
// protects real passwords; test users sharing one proves nothing less.
let testPasswordHash: Promise<string> | undefined;
const hashOfTestPassword = () => (testPasswordHash ??= hashPassword(TEST_PASSWORD));

export async function createUser(
  db: Database,
  memberOf: { tenantId: string; role: MemberRole }[] = [],
) {
  const id = randomUUID();
  const email = `user-${id.slice(0, 8)}@example.test`;
  await db.insert(users).values({ id, email, name: `User ${id.slice(0, 4)}`, emailVerified: true });
  await db.insert(accounts).values({
    id: randomUUID(),
    userId: id,
    accountId: id,
    providerId: "credential",
    password: await hashOfTestPassword(),
  });
  for (const { tenantId, role } of memberOf) {
    await db
      .insert(memberships)
      .values({ id: randomUUID(), organizationId: tenantId, userId: id, role });
  }
  return { id, email };
}

/** Signs in through better-auth's real endpoint and returns request headers carrying the session cookie. */
export async function signIn(
  auth: Auth,
  email: string,
  password = TEST_PASSWORD,
): Promise<Headers> {
  const response = await auth.api.signInEmail({ body: { email, password }, asResponse: true });
  if (!response.ok)
    throw new Error(`sign-in failed with ${response.status}: ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  return new Headers({ cookie });
}

/** Where events go when a test does not start an engine: nowhere, so a start fails as dispatch_failed. */
const unreachableDispatcher = new Inngest({
  id: "no-engine",
  isDev: true,
  baseUrl: "http://127.0.0.1:9",
});

/**
 * A tRPC caller for a request with these headers (signed in or not), with the session as it is
 * now. Unless the headers name a tenant, the caller names the session's active tenant, as a
 * page rendered now would.
 */
export async function callerFor(
  db: Database,
  auth: Auth,
  headers = new Headers(),
  dispatcher: RunDispatcher = unreachableDispatcher,
) {
  const requestHeaders = new Headers(headers);
  if (!requestHeaders.has(TENANT_HEADER)) {
    const activeTenantId = (await auth.api.getSession({ headers }))?.session.activeOrganizationId;
    if (activeTenantId) requestHeaders.set(TENANT_HEADER, activeTenantId);
  }
  return createCaller(await createTRPCContext({ headers: requestHeaders, db, auth, dispatcher }));
}

/** A new member of the tenant with the role, signed in: who they are and their tRPC caller. */
export async function signedInMember(db: Database, auth: Auth, tenantId: string, role: MemberRole) {
  const user = await createUser(db, [{ tenantId, role }]);
  return { user, caller: await callerFor(db, auth, await signIn(auth, user.email)) };
}

/**
 * How a procedure refused: its code, message and field errors (the input schema's, flattened, or
 * a service's). Throws when the promise did not fail with a TRPCError.
 */
export async function trpcFailure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return {
    code: error.code,
    message: error.message,
    fieldErrors: (error.cause instanceof ZodError
      ? z.flattenError(error.cause).fieldErrors
      : (error.cause as { fieldErrors?: unknown } | undefined)?.fieldErrors) as
      Record<string, string[] | undefined> | undefined,
  };
}

const ANY_INPUTS: SkillInputsSchema = { type: "object", properties: {} };

/** A tenant with one private skill, a template and an agent that may run it (the default unless told otherwise). */
export async function createTenantWithSkill(
  db: Database,
  options: {
    inputsSchema?: SkillInputsSchema;
    defaultAgent?: boolean;
    /** Whether the agent has the skill (may run it); it does unless told otherwise. */
    agentHasSkill?: boolean;
    referenceFiles?: { path: string; content: string }[];
  } = {},
) {
  const tenant = await createTenant(db);
  const [skill] = await db
    .insert(skills)
    .values({
      tenantId: tenant.id,
      origin: "tenant",
      slug: `skill-${randomUUID().slice(0, 8)}`,
      name: "Skill",
      description: "A test skill.",
      versionHash: "v1",
      ...inputsColumnsOf(options.inputsSchema ?? ANY_INPUTS),
      instructions: "Do it.",
      referenceFiles: options.referenceFiles ?? [],
    })
    .returning();
  const [template] = await db
    .insert(agentTemplates)
    .values({ tenantId: tenant.id, name: "Template", systemPrompt: "You are careful." })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({
      tenantId: tenant.id,
      name: "Agent",
      templateId: template!.id,
      isDefault: options.defaultAgent ?? true,
    })
    .returning();
  if (options.agentHasSkill ?? true)
    await db.insert(agentSkills).values({ agentId: agent!.id, skillId: skill!.id });
  return { tenant, skill: skill!, template: template!, agent: agent! };
}

/** The run once it is terminal (complete, failed or cancelled), polled; throws after `timeoutMs`. */
export async function waitForTerminalRun(db: Database, runId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [run] = await db.select().from(skillRuns).where(eq(skillRuns.id, runId));
    if (run && ["complete", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline)
      throw new Error(`run ${runId} still ${run?.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh tenant's skill and agent with one run of it `queued`, as a Run now leaves it. */
export async function createQueuedRun(db: Database) {
  const tenantWithSkill = await createTenantWithSkill(db);
  const { tenant, skill, agent } = tenantWithSkill;
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      agentId: agent.id,
      source: "manual",
      inputs: {},
    })
    .returning({ id: skillRuns.id });
  return { ...tenantWithSkill, ref: { runId: run!.id, tenantId: tenant.id } };
}

/**
 * A fresh tenant's skill and agent with one REST-started run of it already ended in `status`:
 * a complete run carries a deliverable, a failed one a failure, as the run-skill function
 * leaves them. For the deliveries that wait on a run's end.
 */
export async function createFinishedRun(
  db: Database,
  status: (typeof TERMINAL_RUN_STATUSES)[number],
) {
  const tenantWithSkill = await createTenantWithSkill(db);
  const { tenant, skill, agent } = tenantWithSkill;
  const [run] = await db
    .insert(skillRuns)
    .values({
      tenantId: tenant.id,
      skillId: skill.id,
      skillVersion: "v1",
      agentId: agent.id,
      source: "api",
      inputs: {},
      status,
      finishedAt: new Date(),
      ...(status === "complete"
        ? {
            deliverable: {
              type: "inline" as const,
              format: "markdown" as const,
              payload: "# Done",
            },
          }
        : {}),
      ...(status === "failed"
        ? { failureCode: "model_error" as const, failureReason: "The model answered HTTP 500." }
        : {}),
    })
    .returning({ id: skillRuns.id });
  return { ...tenantWithSkill, ref: { runId: run!.id, tenantId: tenant.id } };
}

/**
 * Tables a refused request may touch without changing anything: reading a session can refresh
 * it, and every request spends a point of the caller's rate limit, refused or not.
 */
const TABLES_OUTSIDE_FINGERPRINT = new Set(["sessions", "rate_limits"]);

/**
 * Row count and checksum of every table of the app's schema, to compare before and after a
 * request that must change nothing: a refusal proves itself by the data, not only by the answer.
 * `last_used_at` is left out because authenticating an API key stamps it, refused request or not.
 */
export async function fingerprintTables(
  db: Database,
): Promise<Record<string, { rows: number; checksum: string }>> {
  const names = (Object.values(schema) as unknown[])
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableName(table))
    .filter((name) => !TABLES_OUTSIDE_FINGERPRINT.has(name))
    .sort();
  const row = sql`(to_jsonb(t) - 'last_used_at')::text`;
  const rows = await db.execute<{ name: string; rows: number; checksum: string }>(
    sql.join(
      names.map(
        (name) =>
          sql`select ${name} as name, count(*)::int as rows, md5(coalesce(string_agg(${row}, ',' order by ${row}), '')) as checksum from ${sql.identifier(name)} t`,
      ),
      sql` union all `,
    ),
  );
  return Object.fromEntries(rows.map(({ name, ...fingerprint }) => [name, fingerprint]));
}
