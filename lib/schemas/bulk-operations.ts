import { z } from "zod";
import { BULK_OPERATION_KINDS } from "@/lib/enums";
import { listRunsInput } from "./runs";

/** The history's filters (search, tags and every filter), as runs.list takes them. */
export const bulkRunFilters = listRunsInput.omit({ cursor: true, limit: true });
export type BulkRunFilters = z.infer<typeof bulkRunFilters>;

/**
 * The filters as a bulk operation stores them (JSON): a relative window ("last 24 h") is
 * replaced by its absolute start when the operation starts, and dates are ISO strings.
 */
export type StoredRunFilters = Omit<
  BulkRunFilters,
  "createdWithin" | "createdAfter" | "createdBefore"
> & { createdAfter?: string; createdBefore?: string };

export const countMatchingRunsInput = z.object({
  kind: z.enum(BULK_OPERATION_KINDS),
  filters: bulkRunFilters,
});

/** The most JSON one operation's overrides take: they are stored and copied into every re-run. */
export const MAX_OVERRIDES_CHARS = 64 * 1024;

export const startBulkOperationInput = z.object({
  kind: z.enum(BULK_OPERATION_KINDS),
  filters: bulkRunFilters,
  /** Re-run only: inputs that replace each original run's (checked against the filter's skill). */
  inputOverrides: z
    .record(z.string(), z.unknown())
    .refine((overrides) => JSON.stringify(overrides).length <= MAX_OVERRIDES_CHARS, {
      message: `Input overrides are limited to ${MAX_OVERRIDES_CHARS / 1024} KiB of JSON; every run of the operation carries them.`,
    })
    .optional(),
  /** One per confirmation dialog: clicking twice starts one operation. */
  idempotencyKey: z.string().min(1).max(200),
  /** The count the dialog showed: the start is refused if more runs match now. */
  confirmedTotal: z.number().int().min(0),
});
export type StartBulkOperationInput = z.infer<typeof startBulkOperationInput>;

export const bulkOperationIdInput = z.object({ operationId: z.uuid() });
