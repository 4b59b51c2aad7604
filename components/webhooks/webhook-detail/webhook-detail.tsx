"use client";

import { useQuery } from "@tanstack/react-query";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { DetailPage } from "@/components/shell/detail-page";
import { retryUnlessNotFound } from "@/components/shell/query-view";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
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
    <DetailPage
      what="webhook"
      query={webhook}
      backHref="/webhooks"
      description={(data) => <WebhookSummary data={data} />}
      actions={(data) => can("admin") && <WebhookActions webhookId={webhookId} data={data} />}
    >
      {(data) => (
        <>
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
    </DetailPage>
  );
}
