"use client";

import { useQuery } from "@tanstack/react-query";
import { FeedbackRollupCard } from "@/components/feedback/feedback-rollup";
import dynamic from "next/dynamic";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { NotFoundNotice } from "@/components/shell/empty-state";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView, retryUnlessNotFound } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { AgentActions } from "./agent-actions";
import { ModelState } from "./agent-list";
import { EffectiveConfigList } from "./config-view";

// Only admins and owners edit: the form's code (react-hook-form, zod) loads for them alone.
const AgentEditor = dynamic(() => import("./agent-editor").then((module) => module.AgentEditor), {
  loading: () => <Skeleton className="h-96" aria-label="Loading the editor" />,
});

/** An agent's page: an editor for admins and owners, the resolved config for everyone else. */
export function AgentDetail({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const { can, isPending } = useTenantRole();
  const agent = useQuery({
    ...trpc.agents.get.queryOptions({ agentId }),
    retry: retryUnlessNotFound,
  });

  return (
    <QueryView
      query={agent}
      loading={<Skeleton className="h-64" aria-label="Loading agent" />}
      errorTitle="The agent could not be loaded"
      notFound={<NotFoundNotice what="Agent" backHref="/agents" backLabel="Back to agents" />}
    >
      {(data) => (
        <>
          <PageHeader
            title={data.name}
            description={data.description || undefined}
            actions={
              <>
                <ModelState configured={data.configured} missingSettings={data.missingSettings} />
                {can("admin") && <AgentActions agent={data} />}
              </>
            }
          />
          {isPending ? (
            <Skeleton className="h-64" />
          ) : can("admin") ? (
            <AgentEditor key={data.id} agent={data} />
          ) : (
            <EffectiveConfigCard agentId={agentId} />
          )}
          <FeedbackRollupCard scope={{ agentId }} className="mt-6" />
        </>
      )}
    </QueryView>
  );
}

/** What a run of the agent would use now, read-only. */
function EffectiveConfigCard({ agentId }: { agentId: string }) {
  const trpc = useTRPC();
  const config = useQuery(trpc.agents.effectiveConfig.queryOptions({ agentId }));
  return (
    <Card>
      <CardHeader>
        <CardTitle>Effective runtime config</CardTitle>
        <p className="text-muted-foreground text-sm">
          What a run of this agent would use now, resolved the way the run function resolves it.
        </p>
      </CardHeader>
      <CardContent>
        <QueryView
          query={config}
          loading={<Skeleton className="h-48" />}
          errorTitle="The config could not be resolved"
        >
          {(effective) => <EffectiveConfigList config={effective} />}
        </QueryView>
      </CardContent>
    </Card>
  );
}
