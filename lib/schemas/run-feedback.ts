import { z } from "zod";
import { FEEDBACK_RATINGS } from "@/lib/enums";
import { MAX_FEEDBACK_COMMENT_CHARS, MAX_ROLLUP_WEEKS } from "@/lib/feedback";

export const runFeedbackInput = z.object({ runId: z.uuid() });

/** A blank comment is no comment. */
export const setRunFeedbackInput = z.object({
  runId: z.uuid(),
  rating: z.enum(FEEDBACK_RATINGS),
  comment: z
    .string()
    .trim()
    .max(
      MAX_FEEDBACK_COMMENT_CHARS,
      `Keep the comment to ${MAX_FEEDBACK_COMMENT_CHARS} characters.`,
    )
    .transform((comment) => comment || null)
    .nullish(),
});
export type SetRunFeedbackInput = z.infer<typeof setRunFeedbackInput>;

/** One skill's or one agent's rollup, never both. */
export const feedbackRollupInput = z.union([
  z.object({
    skillId: z.uuid(),
    weeks: z.number().int().min(1).max(MAX_ROLLUP_WEEKS).optional(),
  }),
  z.object({
    agentId: z.uuid(),
    weeks: z.number().int().min(1).max(MAX_ROLLUP_WEEKS).optional(),
  }),
]);
export type FeedbackRollupInput = z.infer<typeof feedbackRollupInput>;
