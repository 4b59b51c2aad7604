"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView, retryUnlessNotFound } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { Deliveries } from "./deliveries";
import { EndpointCard } from "./endpoint-card";
import { ExampleCard } from "./example-card";
import { SavedInputMapping } from "./saved-input-mapping";
import { WebhookActions } from "./webhook-actions";
import { WebhookSummary } from "./webhook-summary";
import { SkillProblemAlert } from "@/components/skills/skill-problem";

export function WebhookDetail({ webhookId }: { webhookId: string }) {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const webhook = useQuery({
    ...trpc.webhooks.get.queryOptions({ webhookId }),
    retry: retryUnlessNotFound,
  });

  return (
    <QueryView
      query={webhook}
      loading={<Skeleton className="h-96" aria-label="Loading webhook" />}
      errorTitle="The webhook could not be loaded"
      notFound={
        <p className="border-border rounded-lg border border-dashed px-6 py-16 text-center">
          Webhook not found.{" "}
          <Link href="/webhooks" className="text-link">
            Back to webhooks
          </Link>
        </p>
      }
    >
      {(data) => (
        <>
          <PageHeader
            title={data.name}
            description={<WebhookSummary data={data} />}
            actions={can("admin") && <WebhookActions webhookId={webhookId} data={data} />}
          />
          <SkillProblemAlert
            problem={data.skillProblem}
            skillName={data.skill.name}
            owner="webhook"
          />
          <div className="grid gap-4 lg:grid-cols-2">
            <EndpointCard webhookId={webhookId} data={data} />
            <Card className="min-w-0">
              <CardHeader>
                <CardTitle>Inputs from the payload</CardTitle>
              </CardHeader>
              <CardContent>
                <SavedInputMapping mapping={data.inputMapping} />
              </CardContent>
            </Card>
          </div>
          <ExampleCard webhookId={webhookId} data={data} />
          <Deliveries webhookId={webhookId} />
        </>
      )}
    </QueryView>
  );
}
