/**
 * What one tRPC request may carry. Shared: the browser's batch link splits its batches to fit,
 * the server (server/trpc/http-handler.ts) answers 413 past either limit.
 *
 * 1 MB of body: the largest input a console page sends is a run's inputs (a schedule's, a
 * webhook mapping's defaults), stored as jsonb and sent to the model. The built-in skills cap
 * their longest text at 100,000 characters, up to ~600 KB as JSON (4-byte characters, escapes),
 * so 1 MB holds that with room for the rest of a batch, and nothing an operator can type
 * needs more. (REST, which starts one run per request, caps at 256 KB.)
 */
export const MAX_TRPC_BODY_BYTES = 1024 * 1024;

/** Calls per batch: a console page loads well under this many queries at once. */
export const MAX_TRPC_BATCH_CALLS = 20;
