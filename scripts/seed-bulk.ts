/**
 * `npm run seed:bulk -- [--runs 1000000] [--database-url postgres://…]`: a large run history
 * for the two demo tenants (Acme and Globex), for benchmarks and for trying the console on a
 * realistic volume. Against --database-url, else DATABASE_URL, else the embedded PostgreSQL
 * of `npm run dev` (started briefly when the launcher is not running). A fresh database is
 * migrated and seeded first. Runs are added to what is there; run it once per database.
 *
 * Rows are made by PostgreSQL itself (INSERT … SELECT over generate_series, in batches, with
 * the secondary indexes built after the load when the table was smaller than the load). Distributions: mostly complete, some failed (weighted
 * failure codes) and cancelled, the newest few queued or running; manual / schedule /
 * webhook / api sources, each with its invoker; every built-in skill and each tenant's
 * agents; created_at spread evenly over the past year at millisecond precision.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import nextEnv from "@next/env";
import { and, eq, isNull, like, or } from "drizzle-orm";
import postgres from "postgres";
import { encryptSecret, keyringOf, type Keyring } from "@/server/crypto/secrets";
import { createDatabase, type Database } from "@/server/db/client";
import { DEMO_TENANT_SLUG, SECOND_TENANT_SLUG } from "@/server/db/demo-accounts";
import { migrateDatabase } from "@/server/db/migrate";
import {
  agents,
  apiKeys,
  memberships,
  schedules,
  skills,
  tenants,
  webhooks,
} from "@/server/db/schema";
import type { FailureCode, InvocationSource } from "@/server/db/schema/enums";
import { seedDemoData } from "@/server/db/seed";
import { syncBuiltInSkills } from "@/server/services/catalog/skill-catalog";

const SKILLS_DIR = path.resolve(process.cwd(), "skills");
const BATCH_SIZE = 50_000;
/** Share of the runs that belong to Acme; Globex gets the rest. */
const ACME_SHARE = 0.6;
/** The newest runs of each tenant are still queued or running; every older one has finished. */
const UNFINISHED_PER_TENANT = 20;
/** Names of the invokers this script creates, so a second run finds instead of duplicating them. */
const BULK_PREFIX = "Bulk ";

/** An array with each value repeated by its weight: a uniform pick from it is a weighted pick. */
const weighted = <T extends string>(weights: Record<T, number>) =>
  Object.entries(weights).flatMap(([value, weight]) => Array<string>(weight as number).fill(value));
const pgArray = (values: readonly string[]) => `{${values.join(",")}}`;

const TERMINAL_STATUS = weighted({ complete: 86, failed: 9, cancelled: 5 });
const SOURCES = weighted<InvocationSource>({
  manual: 40,
  schedule: 30,
  webhook: 15,
  api: 15,
  rerun: 0,
});
const FAILURE_CODES = weighted<
  Exclude<
    FailureCode,
    | "no_agent"
    | "agent_not_found"
    | "skill_not_found"
    | "skill_not_enabled"
    | "approval_timeout"
    | "deliverable_rejected"
  >
>({
  model_error: 30,
  timeout: 15,
  guardrail_blocked: 10,
  max_steps: 10,
  agent_crashed: 8,
  empty_deliverable: 7,
  inputs_invalid: 6,
  model_not_configured: 5,
  dispatch_failed: 3,
  stale_running: 3,
  interrupted: 2,
  dispatch_lost: 1,
  start_timeout: 0,
  run_timeout: 0,
});
const TOPICS = [
  "Q3 planning",
  "Northwind renewal",
  "Billing export",
  "Release 4.2",
  "Incident 1182",
  "Onboarding",
  "Vendor review",
  "Support backlog",
];
const AUDIENCES = ["team", "customers", "executives", "partners"];

type TenantPlan = {
  slug: string;
  tenantId: string;
  runs: number;
  ownerId: string;
  skillIds: string[];
  skillVersions: string[];
  agentIds: string[];
  scheduleIds: string[];
  webhookIds: string[];
  apiKeyIds: string[];
};

/** `seconds` covers the inserts and any index build (`indexSeconds` of it); `analyzeSeconds` the vacuum and analyze after. */
export type BulkSeedResult = {
  runs: number;
  seconds: number;
  indexSeconds: number;
  rowsPerSecond: number;
  analyzeSeconds: number;
  perTenant: Record<string, number>;
};

/** Migrations, the built-in catalog and the demo tenants, as `npm run db:seed` does them. */
export async function prepareDemoDatabase(url: string) {
  await migrateDatabase(url);
  const { db, close } = createDatabase(url, { max: 2 });
  try {
    await syncBuiltInSkills(db, SKILLS_DIR);
    await seedDemoData(db);
  } finally {
    await close();
  }
}

/** Disabled schedules and webhooks and revoked API keys, so runs of every source have an invoker to show. */
async function ensureInvokers(
  db: Database,
  keyring: Keyring | undefined,
  tenantId: string,
  slug: string,
  ownerId: string,
  skillIds: string[],
) {
  const existing = async () => ({
    scheduleIds: (
      await db
        .select({ id: schedules.id })
        .from(schedules)
        .where(and(eq(schedules.tenantId, tenantId), like(schedules.name, `${BULK_PREFIX}%`)))
    ).map((row) => row.id),
    webhookIds: (
      await db
        .select({ id: webhooks.id })
        .from(webhooks)
        .where(and(eq(webhooks.tenantId, tenantId), like(webhooks.name, `${BULK_PREFIX}%`)))
    ).map((row) => row.id),
    apiKeyIds: (
      await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.tenantId, tenantId), like(apiKeys.name, `${BULK_PREFIX}%`)))
    ).map((row) => row.id),
  });
  const found = await existing();
  if (found.scheduleIds.length && found.webhookIds.length && found.apiKeyIds.length) return found;
  const skillAt = (index: number) => skillIds[index % skillIds.length]!;
  if (!found.scheduleIds.length) {
    await db.insert(schedules).values(
      ["Monday digest", "Nightly status", "Weekly release notes"].map((name, index) => ({
        tenantId,
        name: `${BULK_PREFIX}${name}`,
        skillId: skillAt(index),
        cron: ["0 8 * * 1", "0 2 * * *", "0 16 * * 5"][index]!,
        timezone: "Europe/Berlin",
        // Never fires: these exist to be named in the history.
        enabled: false,
        createdByUserId: ownerId,
      })),
    );
  }
  if (!found.webhookIds.length) {
    await db.insert(webhooks).values(
      ["Helpdesk tickets", "Pager alerts"].map((name, index) => ({
        tenantId,
        name: `${BULK_PREFIX}${name}`,
        skillId: skillAt(index + 3),
        signingSecret: encryptSecret(randomBytes(24).toString("base64url"), keyring),
        enabled: false,
        createdByUserId: ownerId,
      })),
    );
  }
  if (!found.apiKeyIds.length) {
    await db.insert(apiKeys).values(
      ["CI pipeline", "CRM integration"].map((name, index) => ({
        tenantId,
        name: `${BULK_PREFIX}${name}`,
        role: "operator",
        prefix: `srk_bulk_${slug}_${index}_${randomBytes(3).toString("hex")}`,
        // The hash of a key nobody holds, and revoked besides.
        keyHash: createHash("sha256").update(randomBytes(32)).digest("hex"),
        createdByUserId: ownerId,
        revokedAt: new Date(),
      })),
    );
  }
  return existing();
}

async function planTenant(
  db: Database,
  keyring: Keyring | undefined,
  slug: string,
  runs: number,
): Promise<TenantPlan> {
  const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
  if (!tenant) throw new Error(`seed:bulk: the demo tenant "${slug}" is missing`);
  const [owner] = await db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, tenant.id), eq(memberships.role, "owner")));
  if (!owner) throw new Error(`seed:bulk: the tenant "${slug}" has no owner`);
  const visibleSkills = await db
    .select({ id: skills.id, versionHash: skills.versionHash })
    .from(skills)
    .where(
      and(eq(skills.enabled, true), or(isNull(skills.tenantId), eq(skills.tenantId, tenant.id))),
    )
    .orderBy(skills.slug);
  const tenantAgents = await db
    .select({ id: agents.id, isDefault: agents.isDefault })
    .from(agents)
    .where(eq(agents.tenantId, tenant.id))
    .orderBy(agents.name);
  if (!visibleSkills.length || !tenantAgents.length)
    throw new Error(
      `seed:bulk: the tenant "${slug}" needs skills and agents (run npm run db:seed)`,
    );
  const skillIds = visibleSkills.map((skill) => skill.id);
  const invokers = await ensureInvokers(db, keyring, tenant.id, slug, owner.userId, skillIds);
  // The default agent does most of the work.
  const agentIds = tenantAgents.flatMap((agent) =>
    Array<string>(agent.isDefault ? 3 : 1).fill(agent.id),
  );
  return {
    slug,
    tenantId: tenant.id,
    runs,
    ownerId: owner.userId,
    skillIds,
    skillVersions: visibleSkills.map((skill) => skill.versionHash),
    agentIds,
    ...invokers,
  };
}

/** A deterministic pseudo-random sequence, so every seed writes the same texts. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Pronounceable made-up words: customer names and the deliverables' vocabulary. */
function madeUpWords(count: number, random: () => number): string[] {
  const onsets = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "z",
    "br",
    "st",
    "tr",
  ];
  const vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
  const words = new Set<string>();
  while (words.size < count) {
    const syllables = 2 + Math.floor(random() * 2);
    let word = "";
    for (let index = 0; index < syllables; index++)
      word +=
        onsets[Math.floor(random() * onsets.length)]! +
        vowels[Math.floor(random() * vowels.length)]!;
    words.add(word);
  }
  return [...words];
}

/** How many customers the realistic runs name: each name is in about 1 run in CUSTOMERS. */
const CUSTOMERS = 3_000;
const PARAGRAPHS = 400;
const WORDS_PER_PARAGRAPH = 90;

/**
 * What realistic deliverables are made of: paragraphs of a 4,000-word vocabulary drawn
 * Zipf-like (a few words in most texts, most words in few), and customer names. A run's
 * deliverable is a heading naming its customer and six of the paragraphs, about 3.5 KB.
 */
const deliverableParts = (() => {
  const random = seededRandom(21);
  const vocabulary = madeUpWords(4_000, random);
  const customers = madeUpWords(CUSTOMERS + 200, random).slice(200);
  const paragraphs = Array.from({ length: PARAGRAPHS }, () =>
    Array.from({ length: WORDS_PER_PARAGRAPH }, () => {
      // Rank r is drawn with probability ~ 1/r.
      const rank = Math.floor(Math.exp(random() * Math.log(vocabulary.length)));
      return vocabulary[Math.min(vocabulary.length - 1, rank - 1)]!;
    }).join(" "),
  );
  return { vocabulary, customers, paragraphs };
})();

/** Words of the realistic deliverables for a search bench: common, middling, rare, and absent. */
export const SEARCH_WORDS = {
  common: deliverableParts.vocabulary[0]!,
  // In 2 of the 400 paragraphs: about 3% of deliverables.
  middling:
    deliverableParts.vocabulary.find(
      (word) =>
        deliverableParts.paragraphs.filter((text) => ` ${text} `.includes(` ${word} `)).length ===
        2,
    ) ?? deliverableParts.vocabulary[60]!,
  rare: deliverableParts.customers[7]!,
  absent: "zzyzxnotaword",
  customerTag: `customer:${deliverableParts.customers[11]!}`,
};

/**
 * Rows [from, to) of one tenant's share. Row k of n is created at start + (k + u)·span/n
 * (u uniform in [0, 1)), so the history is evenly spread and each batch appends to the
 * time-ordered indexes. Random draws are made once per row in a materialized CTE.
 */
async function insertBatch(
  sql: Pick<postgres.Sql, "unsafe">,
  plan: TenantPlan,
  window: { startMs: number; spanMs: number },
  from: number,
  to: number,
  realistic: boolean,
) {
  const deliverable = realistic
    ? `'# ' || ($17::text[])[1 + floor(r_input * cardinality($17::text[]))::int] || ' for ' || ($19::text[])[1 + k % ${CUSTOMERS}]
         || E'\\n\\nOrder ORD-' || k || E'\\n\\n' || ($20::text[])[1 + k % ${PARAGRAPHS}]
         || E'\\n\\n' || ($20::text[])[1 + (k * 7 + 3) % ${PARAGRAPHS}] || E'\\n\\n' || ($20::text[])[1 + (k * 13 + 5) % ${PARAGRAPHS}]
         || E'\\n\\n' || ($20::text[])[1 + (k * 31 + 11) % ${PARAGRAPHS}] || E'\\n\\n' || ($20::text[])[1 + (k * 37 + 17) % ${PARAGRAPHS}]
         || E'\\n\\n' || ($20::text[])[1 + (k * 41 + 19) % ${PARAGRAPHS}]`
    : `'# Result ' || k || E'\\n\\nSeeded deliverable.'`;
  await sql.unsafe(
    `with draws as materialized (
       select k,
              to_timestamp(floor(($5::float8 + (k + random()) * $6::float8 / $4::float8))::float8 / 1000) as created_at,
              random() as r_status, random() as r_failure, random() as r_source, random() as r_skill,
              random() as r_agent, random() as r_invoker, random() as r_input, random() as r_tokens,
              random() as r_duration
       from generate_series($2::int, $3::int - 1) as k
     ),
     shaped as (
       select d.*,
              case when k >= $4::int - ${UNFINISHED_PER_TENANT} then (case when k % 2 = 0 then 'running' else 'queued' end)
                   else ($7::text[])[1 + floor(r_status * cardinality($7::text[]))::int] end::run_status as status,
              ($8::text[])[1 + floor(r_source * cardinality($8::text[]))::int]::invocation_source as source,
              1 + floor(r_skill * cardinality($10::uuid[]))::int as skill_at,
              round(400 + r_tokens * 7600)::int as input_tokens,
              round(80 + r_tokens * r_duration * 2900)::int as output_tokens,
              created_at + make_interval(secs => 0.05 + r_duration * 0.4) as started_at,
              created_at + make_interval(secs => 2 + r_duration * 118) as finished_at
       from draws d
     )
     insert into skill_runs (
       tenant_id, skill_id, skill_version, agent_id, source, invoker_user_id, schedule_id, webhook_id, api_key_id,
       inputs, tags, status, failure_code, failure_reason, deliverable, input_tokens, output_tokens, cost_usd,
       created_at, started_at, finished_at, cancel_requested_at, cancelled_by_user_id, updated_at
     )
     select $1,
            ($10::uuid[])[skill_at],
            ($11::text[])[skill_at],
            ($12::uuid[])[1 + floor(r_agent * cardinality($12::uuid[]))::int],
            source,
            case when source = 'manual' then $13 end,
            case when source = 'schedule' then ($14::uuid[])[1 + floor(r_invoker * cardinality($14::uuid[]))::int] end,
            case when source = 'webhook' then ($15::uuid[])[1 + floor(r_invoker * cardinality($15::uuid[]))::int] end,
            case when source = 'api' then ($16::uuid[])[1 + floor(r_invoker * cardinality($16::uuid[]))::int] end,
            jsonb_build_object(
              'topic', ($17::text[])[1 + floor(r_input * cardinality($17::text[]))::int],
              'audience', ($18::text[])[1 + floor(r_invoker * cardinality($18::text[]))::int],
              'notes', 'Seeded run ' || k
            ),
            array['env:' || case when r_tokens < 0.7 then 'prod' else 'staging' end, 'team:t' || (k % 8),
                  'customer:' || ($19::text[])[1 + k % ${CUSTOMERS}]],
            status,
            case when status = 'failed' then ($9::text[])[1 + floor(r_failure * cardinality($9::text[]))::int]::failure_code end,
            case when status = 'failed' then 'The run failed (seeded).' end,
            case when status = 'complete' then jsonb_build_object('type', 'inline', 'format', 'markdown', 'payload', ${deliverable}) end,
            case when status in ('complete', 'failed', 'cancelled') then input_tokens end,
            case when status in ('complete', 'failed', 'cancelled') then output_tokens end,
            case when status in ('complete', 'failed', 'cancelled') then round((input_tokens * 0.0000004 + output_tokens * 0.0000016)::numeric, 6) end,
            created_at,
            case when status <> 'queued' then started_at end,
            case when status in ('complete', 'failed', 'cancelled') then finished_at end,
            case when status = 'cancelled' then finished_at end,
            case when status = 'cancelled' then $13 end,
            case when status in ('complete', 'failed', 'cancelled') then finished_at else created_at end
     from shaped`,
    [
      plan.tenantId,
      from,
      to,
      plan.runs,
      window.startMs,
      window.spanMs,
      pgArray(TERMINAL_STATUS),
      pgArray(SOURCES),
      pgArray(FAILURE_CODES),
      pgArray(plan.skillIds),
      pgArray(plan.skillVersions),
      pgArray(plan.agentIds),
      plan.ownerId,
      pgArray(plan.scheduleIds),
      pgArray(plan.webhookIds),
      pgArray(plan.apiKeyIds),
      `{${TOPICS.map((topic) => `"${topic}"`).join(",")}}`,
      pgArray(AUDIENCES),
      pgArray(deliverableParts.customers),
      // Only the realistic deliverables read the paragraphs: a parameter no statement text
      // mentions has no type, and PostgreSQL refuses the statement.
      ...(realistic
        ? [`{${deliverableParts.paragraphs.map((text) => `"${text}"`).join(",")}}`]
        : []),
    ],
  );
}

/**
 * Locks every row the runs will reference (FOR KEY SHARE, what a foreign-key check takes),
 * and tells whether per-row foreign-key checks may be skipped: all of them exist and this
 * role may switch triggers off (a superuser, such as the embedded server's).
 */
async function referencesHeld(tx: postgres.TransactionSql, plans: TenantPlan[]): Promise<boolean> {
  const referenced: [table: string, type: "uuid" | "text", ids: string[]][] = [
    ["tenants", "text", plans.map((plan) => plan.tenantId)],
    ["users", "text", plans.map((plan) => plan.ownerId)],
    ["skills", "uuid", plans.flatMap((plan) => plan.skillIds)],
    ["agents", "uuid", plans.flatMap((plan) => plan.agentIds)],
    ["schedules", "uuid", plans.flatMap((plan) => plan.scheduleIds)],
    ["webhooks", "uuid", plans.flatMap((plan) => plan.webhookIds)],
    ["api_keys", "uuid", plans.flatMap((plan) => plan.apiKeyIds)],
  ];
  let allThere = true;
  for (const [table, type, ids] of referenced) {
    const wanted = [...new Set(ids)];
    const found = await tx.unsafe(
      `select id from ${table} where id = any($1::${type}[]) for key share`,
      [pgArray(wanted)],
    );
    if (found.length !== wanted.length) allThere = false;
  }
  const [role] = await tx<
    { superuser: string }[]
  >`select current_setting('is_superuser') as superuser`;
  return allThere && role?.superuser === "on";
}

/**
 * Adds `runs` runs to the demo tenants of the database at `url` (migrating and seeding it
 * first when needed), then vacuums and analyzes skill_runs so the planner knows its size.
 *
 * When the table holds fewer runs than are being added, its secondary indexes are dropped
 * for the load and built again afterwards (a sorted build is several times faster than a
 * million scattered insertions, and makes compact indexes). All of it is one transaction:
 * interrupted, it leaves the table and its indexes as they were. It holds an exclusive lock
 * on skill_runs meanwhile, so do not load into a database the app is serving.
 */
export async function seedBulkRuns(
  url: string,
  options: {
    runs: number;
    log?: (line: string) => void;
    /** The app's keys, for the webhooks' signing secrets; the environment's when not given. */
    keyring?: Keyring;
    /** "realistic": deliverables of about 3.5 KB for the search (bench:history); else one line. */
    deliverables?: "short" | "realistic";
  },
): Promise<BulkSeedResult> {
  const log = options.log ?? (() => {});
  await prepareDemoDatabase(url);
  const { db, close } = createDatabase(url, { max: 2 });
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const acmeRuns = Math.round(options.runs * ACME_SHARE);
    const plans = [
      await planTenant(db, options.keyring, DEMO_TENANT_SLUG, acmeRuns),
      await planTenant(db, options.keyring, SECOND_TENANT_SLUG, options.runs - acmeRuns),
    ];
    const spanMs = 365 * 24 * 3600 * 1000;
    const window = { startMs: Date.now() - spanMs - 60_000, spanMs };
    const started = performance.now();
    let inserted = 0;
    let indexSeconds = 0;
    await sql.begin(async (tx) => {
      const [{ existing } = { existing: 0 }] = await tx<
        { existing: number }[]
      >`select count(*)::int as existing from skill_runs`;
      const deferred =
        existing < options.runs
          ? await tx<{ name: string; definition: string }[]>`
              select c.relname as name, pg_get_indexdef(i.indexrelid) as definition
              from pg_index i join pg_class c on c.oid = i.indexrelid
              where i.indrelid = 'skill_runs'::regclass and not i.indisprimary
                and not exists (select 1 from pg_constraint where conindid = i.indexrelid)`
          : [];
      for (const index of deferred)
        await tx.unsafe(`drop index "${index.name.replaceAll('"', '""')}"`);
      if (deferred.length)
        log(
          `  building ${deferred.length} indexes of skill_runs after the load (the table holds ${existing.toLocaleString("en")} runs)`,
        );
      if (await referencesHeld(tx, plans)) {
        // Every id the rows carry is locked above, as each row's foreign-key trigger would
        // lock it; skipping those nine triggers a row makes the load several times faster.
        await tx.unsafe("set local session_replication_role = replica");
        log("  foreign keys checked once per referenced row, not once per run");
      }
      // Batches step through the year for both tenants together, as the runs were made.
      const steps = Math.max(1, Math.ceil(options.runs / BATCH_SIZE));
      for (let step = 0; step < steps; step++) {
        for (const plan of plans) {
          const from = Math.floor((plan.runs * step) / steps);
          const to = Math.floor((plan.runs * (step + 1)) / steps);
          if (to <= from) continue;
          await insertBatch(tx, plan, window, from, to, options.deliverables === "realistic");
          inserted += to - from;
        }
        const seconds = (performance.now() - started) / 1000;
        log(
          `  ${inserted.toLocaleString("en")} / ${options.runs.toLocaleString("en")} runs, ${Math.round(inserted / seconds).toLocaleString("en")} rows/s`,
        );
      }
      const indexesStarted = performance.now();
      if (deferred.length) await tx.unsafe("set local maintenance_work_mem = '256MB'");
      for (const index of deferred) await tx.unsafe(index.definition);
      indexSeconds = (performance.now() - indexesStarted) / 1000;
      if (deferred.length) log(`  indexes built in ${indexSeconds.toFixed(1)} s`);
    });
    const seconds = (performance.now() - started) / 1000;
    const analyzeStarted = performance.now();
    await sql.unsafe("vacuum (analyze) skill_runs");
    await sql.unsafe(
      "analyze skills, agents, users, schedules, webhooks, api_keys, memberships, sessions",
    );
    const analyzeSeconds = (performance.now() - analyzeStarted) / 1000;
    return {
      runs: inserted,
      seconds,
      indexSeconds,
      rowsPerSecond: inserted / seconds,
      analyzeSeconds,
      perTenant: Object.fromEntries(plans.map((plan) => [plan.slug, plan.runs])),
    };
  } finally {
    await sql.end({ timeout: 5 });
    await close();
  }
}

/** Runs of the demo tenants in the database, for callers that reuse an earlier seed. */
export async function countDemoRuns(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ count: number }[]>`
      select count(*)::int as count from skill_runs
      where tenant_id in (select id from tenants where slug in (${DEMO_TENANT_SLUG}, ${SECOND_TENANT_SLUG}))`;
    return row?.count ?? 0;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: "string", default: "1000000" }, "database-url": { type: "string" } },
  });
  const runs = Number(values.runs.replaceAll("_", ""));
  if (!Number.isInteger(runs) || runs < 1) {
    console.error("usage: npm run seed:bulk -- [--runs N] [--database-url postgres://…]");
    process.exit(2);
  }
  nextEnv.loadEnvConfig(process.cwd());
  let url = values["database-url"] ?? process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    const { resolveDatabase } = await import("./lib/database");
    const database = await resolveDatabase({ reuseRunning: true });
    url = database.url;
    if (database.embedded?.owned) stop = database.embedded.stop;
  }
  try {
    console.log(`Seeding ${runs.toLocaleString("en")} runs…`);
    const result = await seedBulkRuns(url, {
      runs,
      log: (line) => console.log(line),
      keyring: await appKeyringForScripts(),
    });
    console.log(
      `Inserted ${result.runs.toLocaleString("en")} runs (${Object.entries(result.perTenant)
        .map(([slug, count]) => `${slug} ${count.toLocaleString("en")}`)
        .join(", ")}) ` +
        `in ${result.seconds.toFixed(1)} s (indexes ${result.indexSeconds.toFixed(1)} s of it), ${Math.round(result.rowsPerSecond).toLocaleString("en")} rows/s; vacuum + analyze ${result.analyzeSeconds.toFixed(1)} s.`,
    );
  } finally {
    await stop();
  }
}

/** The app's key, as `npm run secrets:rotate` finds it: SKILLRUN_ENCRYPTION_KEY, else the data directory's. */
async function appKeyringForScripts(): Promise<Keyring | undefined> {
  const { env } = await import("@/server/env");
  const { ENCRYPTION_KEY_FILE } = await import("./lib/persistent-secret");
  const keyFile = path.resolve(env.SKILLRUN_DATA_DIR, ENCRYPTION_KEY_FILE);
  const key =
    env.SKILLRUN_ENCRYPTION_KEY ?? (await readFile(keyFile, "utf8").catch(() => "")).trim();
  return key ? keyringOf(key, env.SKILLRUN_ENCRYPTION_KEY_PREVIOUS) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
