/**
 * The approval policy's rules that the console and the runtime share: which tool calls a policy
 * gates, and how a policy reads in one line.
 */

export type ApprovalPolicyView = { tools: string[]; deliverable: boolean; timeoutSeconds: number };

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** A `*` in the tool part matches any characters; everything else is literal. */
function toolPartMatches(pattern: string, toolName: string): boolean {
  const expression = pattern.split("*").map(escapeRegExp).join(".*");
  return new RegExp(`^${expression}$`).test(toolName);
}

/**
 * Whether a call of `toolName` (offered by the MCP server `server`, or built in when null) needs
 * approval: a plain pattern names the tool from anywhere, `server:tool` only from that server.
 */
export function toolNeedsApproval(
  patterns: readonly string[],
  toolName: string,
  server: string | null,
): boolean {
  return patterns.some((pattern) => {
    const colon = pattern.lastIndexOf(":");
    if (colon === -1) return toolPartMatches(pattern, toolName);
    return (
      server === pattern.slice(0, colon) && toolPartMatches(pattern.slice(colon + 1), toolName)
    );
  });
}

/** "none", or what waits and for how long, e.g. "crm:send_*, deliverable · 24 h timeout". */
export function approvalSummary(policy: ApprovalPolicyView | undefined): string {
  if (!policy || (policy.tools.length === 0 && !policy.deliverable)) return "none";
  const gated = [...policy.tools, ...(policy.deliverable ? ["the deliverable"] : [])];
  const seconds = policy.timeoutSeconds;
  const timeout =
    seconds % 3600 === 0
      ? `${seconds / 3600} h`
      : seconds % 60 === 0
        ? `${seconds / 60} min`
        : `${seconds} s`;
  return `${gated.join(", ")} · ${timeout} timeout`;
}

/** The summary and whose policy it is, e.g. "the deliverable · 1 h timeout (from the agent)". */
export function approvalSummaryWithSource(
  policy: (ApprovalPolicyView & { source?: "agent" | "template" }) | undefined,
): string {
  const summary = approvalSummary(policy);
  return policy?.source ? `${summary} (from the ${policy.source})` : summary;
}
