import "server-only";
import path from "node:path";
import { readMigrationFiles } from "drizzle-orm/migrator";
import postgres from "postgres";

export const MIGRATIONS_FOLDER = path.resolve(process.cwd(), "drizzle");

/** Any fixed number: app processes starting together take turns at migrating. */
const MIGRATION_LOCK = 7_245_110_321;

/**
 * Applies every pending drizzle-kit migration from `drizzle/`, each in a transaction of its own,
 * recorded in drizzle's own table (`drizzle.__drizzle_migrations`, as drizzle's `migrate()`
 * writes it). drizzle's `migrate()` runs all pending migrations in one transaction, and
 * PostgreSQL refuses a value added to an enum inside the transaction that then uses it: 0029
 * adds `awaiting_approval` to `run_status` and 0034 names it in an index, so an upgrade across
 * both failed. A session advisory lock keeps two processes from applying the same migration.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await sql`create schema if not exists drizzle`;
    await sql`
      create table if not exists drizzle.__drizzle_migrations (
        id serial primary key,
        hash text not null,
        created_at bigint
      )`;
    const [last] = await sql<{ created_at: string }[]>`
      select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
    const appliedUpTo = last ? Number(last.created_at) : -Infinity;
    for (const migration of readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER })) {
      if (migration.folderMillis <= appliedUpTo) continue;
      await sql.begin(async (tx) => {
        for (const statement of migration.sql) if (statement.trim()) await tx.unsafe(statement);
        await tx`
          insert into drizzle.__drizzle_migrations (hash, created_at)
          values (${migration.hash}, ${migration.folderMillis})`;
      });
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}
