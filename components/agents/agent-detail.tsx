"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
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

  return (
    <QueryView
      query={agent}
      loading={<Skeleton className="h-64" aria-label="Loading agent" />}
      errorTitle="The agent could not be loaded"
    >
      {(data) => (
        <>
          <PageHeader
            title={data.name}
            description={data.description ?? undefined}
            actions={
              <ModelState configured={data.configured} missingSettings={data.missingSettings} />
            }
          />
          <Card>
            <CardHeader>
              <CardTitle>Effective runtime config</CardTitle>
              <p className="text-muted-foreground text-sm">
                What a run of this agent would use now, resolved the way the run function resolves
                it.
              </p>
            </CardHeader>
            <CardContent>
              <QueryView
                query={config}
                loading={<Skeleton className="h-48" />}
                errorTitle="The config could not be resolved"
              >
                {(effective) => (
                  <ConfigList
                    items={[
                      [
                        "Model",
                        <>
                          <code className="font-mono">{effective.model}</code>{" "}
                          <span className="text-muted-foreground">
                            (from the {effective.modelSource})
                          </span>
                        </>,
                      ],
                      ["Template", effective.template.name],
                      ["Skills", listOrNone(effective.skills.map((skill) => skill.name))],
                      ["Built-in tools", listOrNone(effective.tools)],
                      ["Blocked tools", listOrNone(effective.blockedTools)],
                      [
                        "MCP servers",
                        listOrNone(
                          effective.mcpServers.map((server) => `${server.name} (${server.url})`),
                        ),
                      ],
                      [
                        "Knowledge bases",
                        listOrNone(effective.knowledgeBases.map((base) => base.name)),
                      ],
                      [
                        "Guardrail",
                        effective.guardrail
                          ? `${effective.guardrail.name} (${effective.guardrail.source})`
                          : "none",
                      ],
                      [
                        "Limits",
                        `${effective.limits.maxSteps} steps · ${effective.limits.timeoutSeconds} s`,
                      ],
                      [
                        "Acts as",
                        effective.currentUser
                          ? `${effective.currentUser.name} <${effective.currentUser.email}> (${effective.currentUser.source})`
                          : "nobody",
                      ],
                      [
                        "System prompt",
                        <pre
                          key="prompt"
                          className="bg-muted max-h-60 overflow-auto rounded-md p-3 text-xs whitespace-pre-wrap"
                        >
                          {effective.systemPrompt}
                        </pre>,
                      ],
                    ]}
                  />
                )}
              </QueryView>
            </CardContent>
          </Card>
        </>
      )}
    </QueryView>
  );
}
