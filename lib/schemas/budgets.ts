import { z } from "zod";

/**
 * Dollars with at most 6 decimals (the columns' scale); null: no such limit. The columns are
 * numeric(14, 6), so the largest limit they hold is 99,999,999.999999.
 */
const limitUsd = z
  .number()
  .nonnegative("must be 0 or more")
  .max(99_999_999.999999, "must be below 100,000,000")
  .nullable();

export const updateBudgetInput = z
  .object({
    softLimitUsd: limitUsd,
    hardLimitUsd: limitUsd,
    timezone: z.string().min(1, "is required").max(64),
  })
  .refine(
    ({ softLimitUsd, hardLimitUsd }) =>
      softLimitUsd === null || hardLimitUsd === null || softLimitUsd <= hardLimitUsd,
    { path: ["softLimitUsd"], message: "must not be above the hard limit" },
  );
export type UpdateBudgetInput = z.infer<typeof updateBudgetInput>;

/** A run's estimate: the skill, and the agent (none: the tenant's default). */
export const estimateRunCostInput = z.object({
  skillId: z.uuid(),
  agentId: z.uuid().nullable().optional(),
});
