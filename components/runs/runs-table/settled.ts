/** What a batch of `Promise.allSettled` calls came to: how many worked, and the first failure's words. */
export function summariseSettled(results: PromiseSettledResult<unknown>[]) {
  const failures = results.filter(
    (result): result is PromiseRejectedResult => result.status === "rejected",
  );
  const firstReason: unknown = failures[0]?.reason;
  return {
    succeeded: results.length - failures.length,
    failed: failures.length,
    firstError: firstReason instanceof Error ? firstReason.message : "error",
  };
}
