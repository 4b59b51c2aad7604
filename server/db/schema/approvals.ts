import { sql } from "drizzle-orm";
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { ModelMessage } from "ai";
import type { TokenUsage } from "@/server/agent/usage";
import { users } from "./auth";
import { createdAt, id, jsonbValue, tenantId } from "./columns";
import { approvalKindEnum, approvalStateEnum } from "./enums";
import { skillRuns } from "./runs";

/** A tool call the model asked for and the turn held back, as the approver sees it. */
export type GatedToolCall = {
  /** The AI SDK's approval id, answered when the turn resumes. */
  approvalId: string;
  toolCallId: string;
  toolName: string;
  /** The MCP server offering the tool; null for a built-in tool. */
  server: string | null;
  input: unknown;
};

/**
 * A run's request for a person's decision. The turn's state at the pause (the conversation,
 * usage and steps so far) is stored with it, so the turn continues from here in a later step
 * without calling the model again for what already happened.
 */
export const runApprovals = pgTable(
  "run_approvals",
  {
    id: id(),
    tenantId: tenantId(),
    runId: uuid()
      .notNull()
      .references(() => skillRuns.id, { onDelete: "cascade" }),
    kind: approvalKindEnum().notNull(),
    state: approvalStateEnum().notNull().default("pending"),
    /** kind `tool`: the calls held back (one decision answers all of them). */
    toolCalls: jsonbValue().$type<GatedToolCall[]>().notNull().default([]),
    /** kind `deliverable`: the draft that completes the run when approved. */
    draft: text(),
    /** The same action with the same arguments has the same key (bulk approve). */
    actionKey: text().notNull(),
    /** The turn's messages so far (kind `tool`); what the resumed turn continues. */
    conversation: jsonbValue().$type<ModelMessage[]>().notNull().default([]),
    usage: jsonbValue().$type<TokenUsage>().notNull(),
    stepsUsed: integer().notNull().default(0),
    requestedAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    decidedAt: timestamp({ withTimezone: true }),
    decidedByUserId: text().references(() => users.id, { onDelete: "set null" }),
    /** Who decided, as the timeline names them (a user's name, an API key's name). */
    decidedBy: text(),
    reason: text(),
    /** Set by the one step that continues the turn after the decision (the re-execution guard). */
    resumedAt: timestamp({ withTimezone: true }),
    /**
     * The engine run (run-skill-approval invocation) that claimed the decision: the same one
     * re-executing its step carries on with the run; any other stands aside.
     */
    resumedBy: text(),
    /**
     * When the decision's event reached the engine (decideApproval's send, or the reconciler's
     * after a failed one): only a decision without it is sent again.
     */
    decisionSentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("run_approvals_one_pending_per_run")
      .on(t.runId)
      .where(sql`${t.state} = 'pending'`),
    index().on(t.tenantId, t.state, t.requestedAt),
    index().on(t.runId),
    // The reconciler's every-minute search for decisions whose event never reached the engine.
    index("run_approvals_unsent_decisions_idx")
      .on(t.decidedAt)
      .where(
        sql`${t.state} in ('approved', 'rejected') and ${t.resumedAt} is null and ${t.decisionSentAt} is null`,
      ),
  ],
);
