import "server-only";
import { env } from "@/server/env";
import { createDatabase, type Database } from "./client";

export type { Database, Transaction } from "./client";

const globalForDb = globalThis as unknown as { skillrunDb?: Database };

function openAppDatabase(): Database {
  if (!env.DATABASE_URL) {
    throw new Error(
      "DATABASE_URL is not set. Start Skillrun with `npm run dev` or `npm start` (they start an embedded PostgreSQL), or set DATABASE_URL.",
    );
  }
  return createDatabase(env.DATABASE_URL).db;
}

/** The app's database handle, opened on first use and reused across hot reloads. */
export function getDb(): Database {
  globalForDb.skillrunDb ??= openAppDatabase();
  return globalForDb.skillrunDb;
}
