import { customType, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./auth";

/** Column helpers shared by the domain tables. */

export const id = () => uuid().primaryKey().defaultRandom();

export const tenantId = () =>
  text()
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" });

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

export const updatedAt = () =>
  timestamp({ withTimezone: true })
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const tsvector = customType<{ data: string }>({
  dataType: () => "tsvector",
});

/**
 * Every jsonb column: a value reads back exactly as written. postgres.js already parses jsonb;
 * drizzle's own `jsonb()` parses a string result once more, so a value that is the JSON string
 * "0" would come back as the number 0. Narrow the type with `.$type<T>()`.
 */
export const jsonbValue = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
  fromDriver: (value) => value,
});
