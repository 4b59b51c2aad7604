/**
 * The one vocabulary of expected failures. Every error a service throws for its caller to read
 * extends ServiceError and names its kind; each transport turns the kind into its own answer in
 * one table (tRPC: server/trpc/init.ts, REST: server/rest/http.ts). Anything else thrown is
 * unexpected: the caller gets a generic message with an error id, the log gets the detail.
 *
 * - `not_found`: no such thing in the caller's tenant. Unknown and foreign ids are the same
 *   answer, so a caller never learns that another tenant's row exists.
 * - `forbidden`: the caller's role or account may not do this.
 * - `conflict`: the current state clashes with the request (already a member, already ended).
 * - `precondition`: something else has to be set up first (a default agent, another owner).
 * - `invalid`: the input breaks a rule only the service can check.
 * - `unavailable`: something the service depends on failed; the same request may work later.
 */
export const SERVICE_ERROR_KINDS = [
  "not_found",
  "forbidden",
  "conflict",
  "precondition",
  "invalid",
  "unavailable",
] as const;
export type ServiceErrorKind = (typeof SERVICE_ERROR_KINDS)[number];

export abstract class ServiceError extends Error {
  abstract readonly kind: ServiceErrorKind;
  /** Stable and machine-readable, unlike the message. */
  abstract readonly code: string;
  /** What is wrong with each input field, when the service can say (shown beside the fields). */
  declare readonly fieldErrors?: Record<string, string[]>;
}

/**
 * A refusal's field errors as one readable sentence for the error's message (REST clients and
 * logs read it; the console shows the fields beside their inputs): each field by its label,
 * without doubled full stops. `What` is the thing refused, e.g. "The MCP server".
 */
export function cannotBeSaved(
  what: string,
  fieldErrors: Partial<Record<string, string[]>>,
  labels: Partial<Record<string, string>> = {},
): string {
  const lines = Object.entries(fieldErrors).flatMap(([field, messages]) =>
    (messages ?? []).map((message) => {
      const label = labels[field] ?? field;
      const text = message.replace(/\.+$/, "");
      return /^[A-Z]/.test(text) ? `${label}: ${text}` : `${label} ${text}`;
    }),
  );
  return `${what} cannot be saved: ${lines.join("; ")}.`;
}
