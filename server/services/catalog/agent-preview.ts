import "server-only";
import { sql } from "drizzle-orm";
import type { AgentRuntimeConfig } from "@/server/agent/config";
import type { AgentInput } from "@/lib/schemas/agents";
import type { Database } from "@/server/db/client";
import { env } from "@/server/env";
import {
  builtInToolsEnabledOf,
  guardrailsOf,
  type GuardrailRow,
  resolveAgentRuntimeConfig,
  runtimeConfigFrom,
} from "./agent-config";
import { loadAgentLinks } from "./agent-links";

/**
 * What a save would change: the saved agent's runtime config (null for a new agent) next to the
 * one the draft would give, both resolved by `runtimeConfigFrom` and without an invoker, so the
 * user an agent acts for is its paired user (as for a schedule or a webhook run). Every lookup
 * is the tenant's; nothing is written.
 */
export async function previewAgentConfig(
  db: Database,
  input: { tenantId: string; agentId: string | null; draft: AgentInput },
): Promise<{ saved: AgentRuntimeConfig | null; draft: AgentRuntimeConfig }> {
  const { tenantId, agentId, draft } = input;
  // The draft's links first: an edit naming another tenant's rows is refused like a save would be.
  const links = await loadAgentLinks(db, tenantId, draft, agentId);
  const saved = agentId
    ? await resolveAgentRuntimeConfig(db, { tenantId, agentId, currentUserId: null })
    : null;
  const [tenantRow] = await db.execute<{
    built_in_tools_enabled: boolean | null;
    guardrails: GuardrailRow[];
  }>(
    sql`select ${builtInToolsEnabledOf(tenantId)} as built_in_tools_enabled, ${guardrailsOf(tenantId, links.template.guardrailId)} as guardrails`,
  );
  return {
    saved,
    draft: runtimeConfigFrom({
      agent: {
        id: agentId ?? "",
        name: draft.name,
        modelOverride: draft.modelOverride,
        approvalPolicy: draft.approvalPolicy,
      },
      template: links.template,
      builtInToolsEnabled: tenantRow?.built_in_tools_enabled ?? null,
      // As a run sees them: disabled skills and MCP servers are left out.
      skills: links.skills
        .filter((skill) => skill.enabled)
        .map(({ id, slug, name }) => ({ id, slug, name })),
      mcpServers: links.mcpServers
        .filter((server) => server.enabled)
        .map(({ id, name, url }) => ({ id, name, url })),
      knowledgeBases: links.knowledgeBases,
      guardrails: tenantRow?.guardrails ?? [],
      invoker: null,
      paired: links.pairedUser,
      deploymentDefaultModel: env.SKILLRUN_DEFAULT_MODEL,
    }),
  };
}
