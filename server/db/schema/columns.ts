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
