/**
 * All the console and the audit log ever say of a saved secret (an MCP token, a channel's SMTP
 * password, Slack URL or signing secret): that one is set, and how it ends.
 */

/** A secret's last four characters, the one part the console shows ("saved •••• ending abcd"). */
export const secretHintOf = (secret: string) => secret.slice(-4);

export type SecretMarker = "set" | "not set" | "changed";

/** Whether a secret is saved, for an audit entry's before/after. */
export const secretMarker = (has: boolean): SecretMarker => (has ? "set" : "not set");

/**
 * The audit entry's "after" for an edit that kept the secret, or saved one (`has`) or none: a
 * replaced secret reads "changed", never its value.
 */
export function secretMarkerAfterEdit(edit: { kept: boolean; had: boolean; has: boolean }) {
  if (edit.kept) return secretMarker(edit.had);
  if (!edit.has) return "not set";
  return edit.had ? "changed" : "set";
}
