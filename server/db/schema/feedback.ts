import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { MAX_FEEDBACK_COMMENT_CHARS } from "@/lib/feedback";
import { users } from "./auth";
import { agents } from "./agents";
import { createdAt, id, tenantId, updatedAt } from "./columns";
import { feedbackRatingEnum } from "./enums";
import { skillRuns } from "./runs";
import { skills } from "./skills";

/**
 * What a member thought of a complete run's deliverable: one row per member and run, changed in
 * place. The run's skill, agent and finish time are copied in when the row is written (they never
 * change once a run is complete), so the per-skill and per-agent rollups read only this table's
 * indexes, and keep counting after the run itself is deleted.
 */
export const runFeedback = pgTable(
  "run_feedback",
  {
    id: id(),
    tenantId: tenantId(),
    /** Null once the run is deleted (retention or a member): the rating still counts in the rollups. */
    runId: uuid().references(() => skillRuns.id, { onDelete: "set null" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    skillId: uuid()
      .notNull()
      .references(() => skills.id, { onDelete: "cascade" }),
    agentId: uuid().references(() => agents.id, { onDelete: "set null" }),
    /** When the run produced its deliverable: the rollup's weeks are weeks of deliverables. */
    runFinishedAt: timestamp({ withTimezone: true }).notNull(),
    rating: feedbackRatingEnum().notNull(),
    comment: text(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("run_feedback_run_user_key").on(t.runId, t.userId),
    // The rollups: a range of weeks of one skill's (or agent's) ratings, index-only.
    index("run_feedback_skill_idx").on(t.tenantId, t.skillId, t.runFinishedAt, t.rating),
    index("run_feedback_agent_idx")
      .on(t.tenantId, t.agentId, t.runFinishedAt, t.rating)
      .where(sql`${t.agentId} is not null`),
    // The rollup's latest comments.
    index("run_feedback_skill_comments_idx")
      .on(t.tenantId, t.skillId, t.updatedAt)
      .where(sql`${t.comment} is not null`),
    index("run_feedback_agent_comments_idx")
      .on(t.tenantId, t.agentId, t.updatedAt)
      .where(sql`${t.comment} is not null and ${t.agentId} is not null`),
    check(
      "run_feedback_comment_length",
      sql.raw(`char_length(comment) <= ${MAX_FEEDBACK_COMMENT_CHARS}`),
    ),
  ],
);
