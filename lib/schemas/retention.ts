import { z } from "zod";

/** The longest retention a tenant may set: ten years. */
export const MAX_RETENTION_DAYS = 3650;

const days = z
  .number()
  .int("must be a whole number of days")
  .min(1, "must be at least 1 day")
  .max(MAX_RETENTION_DAYS, `must be at most ${MAX_RETENTION_DAYS} days`)
  .nullable();

/**
 * A tenant's retention: runs older than `runDays` are deleted with their timeline; deliverables
 * older than `deliverableDays` are cleared while the run row stays. Null keeps them forever.
 */
export const retentionPolicyInput = z
  .object({ runDays: days, deliverableDays: days })
  .refine(
    ({ runDays, deliverableDays }) =>
      runDays === null || deliverableDays === null || deliverableDays < runDays,
    {
      path: ["deliverableDays"],
      message: "must be shorter than the run retention (the run and its deliverable go together)",
    },
  );
export type RetentionPolicyInput = z.infer<typeof retentionPolicyInput>;

export const deleteRunInput = z.object({ runId: z.uuid() });
