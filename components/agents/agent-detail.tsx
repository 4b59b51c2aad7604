"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryError } from "@/components/shell/query-error";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { ModelState } from "./agent-list";
import { ConfigList, listOrNone } from "./config-view";

export function AgentDetail({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const agent = useQuery(trpc.agents.get.queryOptions({ agentId }));
  const config = useQuery({
    ...trpc.agents.effectiveConfig.queryOptions({ agentId }),
    enabled: agent.isSuccess,
  });

  if (agent.isPending) return <Skeleton className="h-64" aria-label="Loading agent" />;
  if (agent.isError) return <QueryError title="The agent could not be loaded" query={agent} />;

  return (
    <>
      <PageHeader
        title={agent.data.name}
        description={agent.data.description ?? undefined}
        actions={
          <ModelState
            configured={agent.data.configured}
            missingSettings={agent.data.missingSettings}
          />
        }
      />
      <Card>
        <CardHeader>
          <CardTitle>Effective runtime config</CardTitle>
          <p className="text-muted-foreground text-sm">
            What a run of this agent would use now, resolved the way the run function resolves it.
          </p>
        </CardHeader>
        <CardContent>
          {config.isPending ? (
            <Skeleton className="h-48" />
          ) : config.isError ? (
            <QueryError title="The config could not be resolved" query={config} />
          ) : (
            <ConfigList
              items={[
                [
                  "Model",
                  <>
                    <code className="font-mono">{config.data.model}</code>{" "}
                    <span className="text-muted-foreground">
                      (from the {config.data.modelSource})
                    </span>
                  </>,
                ],
                ["Template", config.data.template.name],
                ["Skills", listOrNone(config.data.skills.map((skill) => skill.name))],
                ["Built-in tools", listOrNone(config.data.tools)],
                ["Blocked tools", listOrNone(config.data.blockedTools)],
                [
                  "MCP servers",
                  listOrNone(
                    config.data.mcpServers.map((server) => `${server.name} (${server.url})`),
                  ),
                ],
                [
                  "Knowledge bases",
                  listOrNone(config.data.knowledgeBases.map((base) => base.name)),
                ],
                [
                  "Guardrail",
                  config.data.guardrail
                    ? `${config.data.guardrail.name} (${config.data.guardrail.source})`
                    : "none",
                ],
                [
                  "Limits",
                  `${config.data.limits.maxSteps} steps · ${config.data.limits.timeoutSeconds} s`,
                ],
                [
                  "Acts as",
                  config.data.currentUser
                    ? `${config.data.currentUser.name} <${config.data.currentUser.email}> (${config.data.currentUser.source})`
                    : "nobody",
                ],
                [
                  "System prompt",
                  <pre
                    key="prompt"
                    className="bg-muted max-h-60 overflow-auto rounded-md p-3 text-xs whitespace-pre-wrap"
                  >
                    {config.data.systemPrompt}
                  </pre>,
                ],
              ]}
            />
          )}
        </CardContent>
      </Card>
    </>
  );
}
