import type { inferRouterOutputs } from "@trpc/server";
import { approvalSummaryWithSource } from "@/lib/approval-policy";
import type { AppRouter } from "@/server/trpc/root";

/** A runtime config as the server resolves it (an agent's, or a draft's). */
export type ResolvedConfig = inferRouterOutputs<AppRouter>["agents"]["effectiveConfig"];

/** One line of the comparison: what a setting is now and would be after saving. */
export type ConfigDiffRow = {
  label: string;
  /** Null for an agent not saved yet. */
  saved: string | null;
  draft: string;
  changed: boolean;
  /** For a list: its items after saving, and those a save adds and removes (empty for a single value). */
  items: string[];
  added: string[];
  removed: string[];
};

const NONE = "none";
const joined = (values: string[]) => (values.length ? values.join(", ") : NONE);

/** A config's settings as text lists (single values are one-item lists), in the config card's order. */
function configValues(config: ResolvedConfig): [label: string, values: string[], list: boolean][] {
  return [
    ["Model", [`${config.model} (from the ${config.modelSource})`], false],
    ["Template", [config.template.name], false],
    ["Skills", config.skills.map((skill) => skill.name), true],
    ["Built-in tools", [...config.tools], true],
    ["Blocked tools", config.blockedTools, true],
    ["MCP servers", config.mcpServers.map((server) => `${server.name} (${server.url})`), true],
    ["Knowledge bases", config.knowledgeBases.map((base) => base.name), true],
    [
      "Guardrail",
      [config.guardrail ? `${config.guardrail.name} (${config.guardrail.source})` : NONE],
      false,
    ],
    ["Limits", [`${config.limits.maxSteps} steps · ${config.limits.timeoutSeconds} s`], false],
    ["Needs approval", [approvalSummaryWithSource(config.approval)], false],
    [
      "Acts as",
      [
        config.currentUser
          ? `${config.currentUser.name} <${config.currentUser.email}> (${config.currentUser.source})`
          : "nobody",
      ],
      false,
    ],
    ["System prompt", [config.systemPrompt], false],
  ];
}

/**
 * The settings of the saved config next to the draft's, each marked when a save would change
 * it; lists say which items come and go. Without a saved config every line is new.
 */
export function configDiff(saved: ResolvedConfig | null, draft: ResolvedConfig): ConfigDiffRow[] {
  const before = saved
    ? new Map(configValues(saved).map(([label, values]) => [label, values]))
    : null;
  return configValues(draft).map(([label, values, list]) => {
    const was = before?.get(label) ?? null;
    const savedText = was ? (list ? joined(was) : (was[0] ?? NONE)) : null;
    const draftText = list ? joined(values) : (values[0] ?? NONE);
    return {
      label,
      saved: savedText,
      draft: draftText,
      changed: savedText !== draftText,
      items: list ? values : [],
      added: list && was ? values.filter((value) => !was.includes(value)) : [],
      removed: list && was ? was.filter((value) => !values.includes(value)) : [],
    };
  });
}
