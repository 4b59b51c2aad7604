import { sql, type SQL } from "drizzle-orm";

/**
 * A JSON value as a jsonb parameter of a hand-written statement (`jsonb_to_recordset(…)`, a
 * column of a writable CTE). It is sent as text and cast on the server: a parameter the server
 * types as jsonb goes through postgres.js's jsonb serializer, which encodes the JSON string a
 * second time (PostgreSQL then stores a string, not the value). drizzle's postgres-js adapter
 * happens to switch that serializer off today; the cast through text does not depend on it.
 */
export function jsonbParam(value: unknown): SQL {
  return sql`${JSON.stringify(value)}::text::jsonb`;
}
