import type { ReactNode } from "react";
import { approvalSummaryWithSource } from "@/lib/approval-policy";
import type { ResolvedConfig } from "./config-diff";

/** A definition list for a resolved runtime config or a run's snapshot of one; stacked on a phone. */
export function ConfigList({ items }: { items: [label: string, value: ReactNode][] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-4 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] sm:gap-y-2">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted-foreground">{label}</dt>
          <dd className="mb-2 min-w-0 break-words sm:mb-0">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export const listOrNone = (values: string[]) => (values.length ? values.join(", ") : "none");

/** An agent's resolved runtime config, every setting a run would use. */
export function EffectiveConfigList({ config }: { config: ResolvedConfig }) {
  return (
    <ConfigList
      items={[
        [
          "Model",
          <>
            <code className="font-mono">{config.model}</code>{" "}
            <span className="text-muted-foreground">(from the {config.modelSource})</span>
          </>,
        ],
        ["Template", config.template.name],
        ["Skills", listOrNone(config.skills.map((skill) => skill.name))],
        ["Built-in tools", listOrNone(config.tools)],
        ["Blocked tools", listOrNone(config.blockedTools)],
        [
          "MCP servers",
          listOrNone(config.mcpServers.map((server) => `${server.name} (${server.url})`)),
        ],
        ["Knowledge bases", listOrNone(config.knowledgeBases.map((base) => base.name))],
        [
          "Guardrail",
          config.guardrail ? `${config.guardrail.name} (${config.guardrail.source})` : "none",
        ],
        ["Limits", `${config.limits.maxSteps} steps · ${config.limits.timeoutSeconds} s`],
        ["Needs approval", approvalSummaryWithSource(config.approval)],
        [
          "Acts as",
          config.currentUser
            ? `${config.currentUser.name} <${config.currentUser.email}> (${config.currentUser.source})`
            : "nobody",
        ],
        [
          "System prompt",
          <pre
            key="prompt"
            className="bg-muted max-h-60 overflow-auto rounded-md p-3 text-xs whitespace-pre-wrap"
          >
            {config.systemPrompt}
          </pre>,
        ],
      ]}
    />
  );
}
