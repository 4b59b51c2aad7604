import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import { ENCRYPTED_SECRET_PREFIX } from "@/server/crypto/secret-format";
import {
  RUN_DELIVERY_STATUSES,
  RUN_DELIVERY_TARGETS,
  type RunDeliveryStatus,
  type RunDeliveryTarget,
} from "@/lib/enums";
import { notificationChannels } from "./alerts";
import { createdAt, id, tenantId } from "./columns";
import { skillRuns } from "./runs";

const inList = (column: string, values: readonly string[]) =>
  sql.raw(`${column} in (${values.map((value) => `'${value}'`).join(", ")})`);

/**
 * A delivery that may still be sent (a failed one by a retry), so its secret is kept under the
 * current key. Written with constants, so the planner matches it to the partial index below.
 */
export const resealableDelivery = (t: { secret: AnyPgColumn; status: AnyPgColumn }) =>
  sql`${t.secret} is not null and ${t.status} in ('waiting', 'pending', 'failed')`;

/** The key id a stored secret names ('' for one stored before encryption), as keyIdOf reads it. */
export const storedSecretKeyId = (secret: AnyPgColumn) =>
  sql`(case when ${secret} like ${sql.raw(`'${ENCRYPTED_SECRET_PREFIX}%'`)} then split_part(${secret}, ':', ${sql.raw(String(ENCRYPTED_SECRET_PREFIX.split(":").length))}) else '' end)`;

/**
 * One run's result to one place, written in the same transaction as the run (an outbox): the
 * row waits while the run runs, and the delivery sweep queues it once the run is terminal, so
 * a crash anywhere between the terminal write and the send loses nothing.
 *
 * `secret` is encrypted (`server/crypto`): for a callback, the URL and its signing secret as
 * JSON; a channel's secrets stay on the channel. `target` is what the console shows (a host, a
 * channel's name), never a URL's path or query.
 */
export const runDeliveries = pgTable(
  "run_deliveries",
  {
    id: id(),
    tenantId: tenantId(),
    runId: uuid()
      .notNull()
      .references(() => skillRuns.id, { onDelete: "cascade" }),
    targetKind: text({ enum: RUN_DELIVERY_TARGETS }).$type<RunDeliveryTarget>().notNull(),
    channelId: uuid().references(() => notificationChannels.id, { onDelete: "set null" }),
    target: text().notNull(),
    secret: text(),
    status: text({ enum: RUN_DELIVERY_STATUSES }).$type<RunDeliveryStatus>().notNull(),
    attempts: integer().notNull().default(0),
    error: text(),
    createdAt: createdAt(),
    /** Names this queuing's event (`<id>:<queued at>`): set when the sweep queues a waiting row. */
    queuedAt: timestamp({ withTimezone: true }),
    /** When the sweep last sent a lost queuing's event again (same event id, so at most one run). */
    requeuedAt: timestamp({ withTimezone: true }),
    /** Set by the attempt that is sending (notify/attempt-record.ts): one sender at a time. */
    claimedAt: timestamp({ withTimezone: true }),
    lastAttemptAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.tenantId, t.runId),
    // A run's or channel's delete finds its rows (cascade, set null) without a scan.
    index().on(t.runId),
    index().on(t.channelId),
    index("run_deliveries_open_index")
      .on(t.runId)
      .where(sql`${t.status} in ('waiting', 'pending')`),
    // The start-up reseal reads only the deliveries whose secret is under another key: failed
    // ones accumulate, and a range scan either side of the current key id skips them.
    index("run_deliveries_reseal_index")
      .on(storedSecretKeyId(t.secret))
      .where(resealableDelivery(t)),
    check("run_deliveries_status", inList("status", RUN_DELIVERY_STATUSES)),
    check("run_deliveries_target_kind", inList("target_kind", RUN_DELIVERY_TARGETS)),
  ],
);
