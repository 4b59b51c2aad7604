import type { BuiltInTool, PiiMode } from "@/lib/enums";

// Defined in lib/enums so the console's forms offer the same tools and modes the runtime knows.
export { BUILT_IN_TOOLS, type BuiltInTool, type PiiMode } from "@/lib/enums";
export type GuardrailRules = {
  deniedTerms: string[];
  /** Regular expressions in RE2 syntax, matched case-insensitively in linear time. */
  deniedPatterns: string[];
  pii: PiiMode;
  maxDeliverableChars: number | null;
};

/** Which actions of a run wait for a person (the agent's approval policy, else its template's). */
export type ApprovalPolicy = {
  /** Tool names, or `server:tool` patterns for MCP tools (`*` matches any characters). */
  tools: string[];
  deliverable: boolean;
  timeoutSeconds: number;
};

/**
 * Everything an agent runs with, resolved in one place (resolveAgentRuntimeConfig). It holds no
 * secrets (MCP tokens stay in the database), so it is also what a run stores as its config
 * snapshot.
 */
export type AgentRuntimeConfig = {
  agent: { id: string; name: string };
  template: { id: string; name: string };
  model: string;
  modelSource: "agent" | "template" | "deployment default";
  systemPrompt: string;
  skills: { id: string; slug: string; name: string }[];
  tools: BuiltInTool[];
  blockedTools: string[];
  mcpServers: { id: string; name: string; url: string }[];
  knowledgeBases: { id: string; name: string }[];
  guardrail: {
    id: string;
    name: string;
    rules: GuardrailRules;
    source: "template" | "tenant default";
  } | null;
  limits: { maxSteps: number; timeoutSeconds: number };
  /** Absent in snapshots taken before approvals existed: nothing waits for approval. */
  approval?: ApprovalPolicy & {
    /** Absent in snapshots taken before agents could have their own policy: the template's. */
    source?: "agent" | "template";
  };
  currentUser: {
    id: string;
    email: string;
    name: string;
    source: "invoker" | "paired user";
  } | null;
};
