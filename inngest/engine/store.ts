import postgres from "postgres";

export type Sql = postgres.Sql;

export const SCHEMA = "inngest_engine";

/** The pool's `application_name`: a newly elected leader ends such sessions a lost leader left (leadership.ts). */
export const ENGINE_APPLICATION_NAME = "skillrun-inngest-engine";

/**
 * The engine's state lives in its own schema, created and upgraded by the engine itself so
 * it can run against any database (the app's, or --database-url). Versioned statements run
 * once each, inside an advisory lock so two engines starting together do not race.
 */
const MIGRATIONS: string[] = [
  `
  create sequence ${SCHEMA}.seq;
  create table ${SCHEMA}.apps (
    name text primary key,
    url text not null,
    checksum text not null,
    synced_at timestamptz not null default now()
  );
  create table ${SCHEMA}.functions (
    slug text primary key,
    app_name text not null references ${SCHEMA}.apps(name) on delete cascade,
    config jsonb not null,
    version integer not null default 1,
    updated_at timestamptz not null default now()
  );
  create table ${SCHEMA}.events (
    internal_id text primary key,
    seq bigint not null default nextval('${SCHEMA}.seq'),
    name text not null,
    payload jsonb not null,
    received_at timestamptz not null default now()
  );
  create index on ${SCHEMA}.events (received_at);
  create table ${SCHEMA}.runs (
    id text primary key,
    seq bigint not null default nextval('${SCHEMA}.seq'),
    function_slug text not null,
    function_version integer not null,
    event_id text not null,
    events jsonb not null,
    status text not null default 'Running',
    steps jsonb not null default '{}',
    stack text[] not null default '{}',
    pending text[] not null default '{}',
    force_step_plan boolean not null default false,
    max_attempts integer not null,
    concurrency jsonb not null default '[]',
    cron text,
    output jsonb,
    started_at timestamptz not null default now(),
    ended_at timestamptz
  );
  create index on ${SCHEMA}.runs (event_id);
  create index on ${SCHEMA}.runs (function_slug, started_at);
  create index on ${SCHEMA}.runs (ended_at) where ended_at is not null;
  create table ${SCHEMA}.waits (
    id bigserial primary key,
    run_id text not null references ${SCHEMA}.runs(id) on delete cascade,
    kind text not null,
    event_name text,
    expression text,
    step_id text,
    correlation_id text,
    min_seq bigint not null,
    expires_at timestamptz not null
  );
  create index on ${SCHEMA}.waits (event_name) where event_name is not null;
  create index on ${SCHEMA}.waits (correlation_id) where correlation_id is not null;
  create index on ${SCHEMA}.waits (run_id);
  create table ${SCHEMA}.queue (
    id bigserial primary key,
    run_id text not null references ${SCHEMA}.runs(id) on delete cascade,
    kind text not null,
    step_id text not null,
    attempt integer not null default 0,
    wait_id bigint,
    run_at timestamptz not null default now(),
    leased_at timestamptz
  );
  create index on ${SCHEMA}.queue (run_id);
  create table ${SCHEMA}.dedupe (
    key text primary key,
    expires_at timestamptz not null
  );
  create table ${SCHEMA}.crons (
    function_slug text not null references ${SCHEMA}.functions(slug) on delete cascade,
    expression text not null,
    next_tick timestamptz not null,
    primary key (function_slug, expression)
  );
  `,
  // Every lease (and every re-queue after a crash) bumps lease_gen: a request dispatched
  // under an older generation is stale, so its checkpoints are fenced off with 409.
  `
  alter table ${SCHEMA}.queue add column lease_gen integer not null default 0;
  `,
  // An invoked child's result, stored on the invoking run's wait in the child's finalize
  // statement; the wait's timeout row, moved to now, resumes the invoking run with it.
  `
  alter table ${SCHEMA}.waits add column result jsonb;
  `,
  // A run's defer() records (defer.ts), saved with the step whose response reported them; the
  // run's finalize statement sends their inngest/deferred.schedule events.
  `
  alter table ${SCHEMA}.runs add column defers jsonb not null default '{}';
  `,
  // Run and step metadata from POST /v1/runs/:id/metadata (run-metadata.ts), one row per update,
  // combined in id order when read; deleted with its run.
  `
  create table ${SCHEMA}.run_metadata (
    id bigserial primary key,
    run_id text not null references ${SCHEMA}.runs(id) on delete cascade,
    scope text not null,
    target text,
    kind text not null,
    op text not null,
    values jsonb not null,
    size integer not null,
    created_at timestamptz not null default now()
  );
  create index on ${SCHEMA}.run_metadata (run_id);
  `,
];

export async function openStore(databaseUrl: string): Promise<Sql> {
  const sql = postgres(databaseUrl, {
    max: 8,
    onnotice: () => {},
    connection: { application_name: ENGINE_APPLICATION_NAME },
  });
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${SCHEMA}))`;
    await tx.unsafe(`create schema if not exists ${SCHEMA}`);
    await tx.unsafe(
      `create table if not exists ${SCHEMA}.schema_version (version integer not null)`,
    );
    const [row] = await tx.unsafe<{ version: number }[]>(
      `select version from ${SCHEMA}.schema_version`,
    );
    const current = row?.version ?? 0;
    for (let version = current; version < MIGRATIONS.length; version++) {
      await tx.unsafe(MIGRATIONS[version] ?? "");
    }
    if (!row) await tx.unsafe(`insert into ${SCHEMA}.schema_version values (${MIGRATIONS.length})`);
    else if (current < MIGRATIONS.length)
      await tx.unsafe(`update ${SCHEMA}.schema_version set version = ${MIGRATIONS.length}`);
  });
  return sql;
}
