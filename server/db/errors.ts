import "server-only";

/** Driver and server codes that mean "PostgreSQL is not reachable right now", not "this query is wrong". */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  // A write to a socket PostgreSQL already closed (seen while it restarts).
  "EPIPE",
  "ETIMEDOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "57P01",
  "57P02",
  "57P03",
]);

/** True when the error (or one it wraps: drizzle puts the driver's error in `cause`) says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let current: unknown = error, depth = 0;
    current && typeof current === "object" && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (UNAVAILABLE_CODES.has(code) || code.startsWith("08")))
      return true;
  }
  return false;
}

/**
 * The driver's and the server's messages for the same conditions. An error that crossed a
 * serialization boundary (a step's error, read back from the engine by a failure handler)
 * keeps its messages but not always its `code`.
 */
const UNAVAILABLE_MESSAGE = new RegExp(
  [
    `\\b(${[...UNAVAILABLE_CODES].filter((code) => /^[A-Z_]+$/.test(code)).join("|")})\\b`,
    "the database system is (shutting down|starting up|in recovery mode)",
    "terminating connection due to administrator command",
  ].join("|"),
);

/** `isDatabaseUnavailable`, also for an error that kept only its messages (see UNAVAILABLE_MESSAGE). */
export function reportsDatabaseUnavailable(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  for (
    let current: unknown = error, depth = 0;
    current && typeof current === "object" && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const message = (current as { message?: unknown }).message;
    if (typeof message === "string" && UNAVAILABLE_MESSAGE.test(message)) return true;
  }
  return false;
}

/** The PostgreSQL error a failed statement carries (drizzle puts the driver's in `cause`), or null. */
function postgresError(error: unknown): { code: string; constraint: string | undefined } | null {
  for (
    let current: unknown = error, depth = 0;
    current && typeof current === "object" && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const { code, constraint_name: name } = current as {
      code?: unknown;
      constraint_name?: unknown;
    };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
      return { code, constraint: typeof name === "string" ? name : undefined };
  }
  return null;
}

/**
 * True when the error (or one it wraps) is PostgreSQL refusing a duplicate key, of the named
 * unique index or constraint if one is given: the database is the arbiter of "already taken",
 * so two concurrent saves of one name cannot both pass a check made before the write.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const failure = postgresError(error);
  return (
    failure?.code === "23505" && (constraint === undefined || failure.constraint === constraint)
  );
}

/** True when the error (or one it wraps) is a foreign key refusing a delete that rows still use. */
export function isForeignKeyViolation(error: unknown): boolean {
  return postgresError(error)?.code === "23503";
}
