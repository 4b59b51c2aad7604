import { randomBytes } from "node:crypto";

/**
 * Errors no handler expected: the caller gets a generic answer naming an error id, and the
 * server log gets the detail under the same id. Shared by tRPC (server/trpc/init.ts) and the
 * REST routes (server/rest/http.ts).
 */

/** What a caller is told about an unexpected error. */
export function unexpectedErrorMessage(errorId: string): string {
  return `Something went wrong (error id ${errorId}). The details are in the server log.`;
}

// drizzle's DrizzleQueryError: its message is "Failed query: <sql>\nparams: <values>", and the
// values are inputs, deliverables, ids. Only the statement and the driver's cause are logged.
type FailedQuery = Error & { query: string };
const isFailedQuery = (error: Error): error is FailedQuery =>
  error.message.startsWith("Failed query:") &&
  typeof (error as Partial<FailedQuery>).query === "string";

/** The stack's frames only: its first lines repeat the message, which may be the one with values. */
const framesOf = (error: Error) =>
  (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));

const MAX_CAUSES = 5;

/** An error and its causes for the log: name, message (for a failed query, its SQL text without the parameters) and frames. */
export function describeForLog(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSES && current !== undefined && current !== null; depth++) {
    const prefix = depth === 0 ? "" : "caused by: ";
    if (!(current instanceof Error)) {
      lines.push(
        `${prefix}${typeof current === "string" ? current : `a thrown ${typeof current}`}`,
      );
      break;
    }
    lines.push(
      `${prefix}${current.name}: ${isFailedQuery(current) ? `Failed query: ${current.query} (parameters not logged)` : current.message}`,
      ...framesOf(current),
    );
    current = current.cause;
  }
  return lines.join("\n");
}

/** Logs an unexpected error under a new id and returns the id for the answer to name. */
export function logUnexpectedError(error: unknown, where: string): string {
  const errorId = randomBytes(6).toString("hex");
  console.error(`[error ${errorId}] ${where}: ${describeForLog(error)}`);
  return errorId;
}
