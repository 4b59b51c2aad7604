import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, text } from "drizzle-orm/pg-core";
import { MAX_SAVED_VIEW_NAME_CHARS, MAX_SAVED_VIEW_QUERY_CHARS } from "@/lib/saved-views";
import { users } from "./auth";
import { createdAt, id, tenantId, updatedAt } from "./columns";

/**
 * A named runs-history query: the URL stays the source of truth, a view only remembers its query
 * (canonical, checked by the list's own parsers when saved). Private to its creator, or shared
 * with every member of the tenant.
 */
export const savedViews = pgTable(
  "saved_views",
  {
    id: id(),
    tenantId: tenantId(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    query: text().notNull(),
    shared: boolean().notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("saved_views_user_idx").on(t.tenantId, t.userId),
    index("saved_views_shared_idx")
      .on(t.tenantId)
      .where(sql`${t.shared}`),
    check(
      "saved_views_sizes",
      sql.raw(
        `char_length(name) <= ${MAX_SAVED_VIEW_NAME_CHARS} and char_length(query) <= ${MAX_SAVED_VIEW_QUERY_CHARS}`,
      ),
    ),
  ],
);
