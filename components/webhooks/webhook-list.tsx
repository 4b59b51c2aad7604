"use client";

import { useQuery } from "@tanstack/react-query";
import { Plus, Webhook } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { PageHeader } from "@/components/shell/page-header";
import { QueryView } from "@/components/shell/query-view";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { DeliveryVerdictBadge } from "./delivery-verdict";
import { SecretDialog } from "./secret-dialog";
import { WebhookFormDialog } from "./webhook-form-dialog";
import { SkillProblemBadge } from "@/components/skills/skill-problem";

export const webhookEndpoint = (webhookId: string) =>
  `${typeof window === "undefined" ? "" : window.location.origin}/api/webhooks/${webhookId}`;

export function WebhookList() {
  const trpc = useTRPC();
  const router = useRouter();
  const { can } = useTenantRole();
  const webhooks = useQuery(trpc.webhooks.list.queryOptions());
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ id: string; secret: string; name: string } | null>(null);

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Signed HTTP deliveries from other systems, each starting a skill run."
        actions={
          can("admin") && (
            <Button onClick={() => setCreating(true)}>
              <Plus aria-hidden />
              New webhook
            </Button>
          )
        }
      />
      <QueryView
        query={webhooks}
        loading={<Skeleton className="h-48" aria-label="Loading webhooks" />}
        errorTitle="Webhooks could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={
          <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
            <Webhook className="text-muted-foreground mb-3 size-8" aria-hidden />
            <p className="font-medium">No webhooks yet</p>
            <p className="text-muted-foreground mt-1 text-sm">
              {can("admin")
                ? "Create one to start a skill whenever another system posts an event."
                : "An admin of this tenant can create one."}
            </p>
          </div>
        }
      >
        {(list) => (
          <Table aria-label="Webhooks">
            <TableHeader>
              <TableRow>
                <TableHead>Webhook</TableHead>
                <TableHead>Last delivery</TableHead>
                <TableHead className="hidden md:table-cell">Limit</TableHead>
                <TableHead>State</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {list.map((webhook) => (
                <TableRow key={webhook.id} data-webhook-id={webhook.id}>
                  <TableCell>
                    <Link href={`/webhooks/${webhook.id}`} className="font-medium hover:underline">
                      {webhook.name}
                    </Link>
                    <div className="text-muted-foreground text-xs">
                      {webhook.skill.name} · {webhook.agent?.name ?? "default agent"}
                      <span className="md:hidden"> · {webhook.rateLimitPerMinute}/min</span>
                    </div>
                    <SkillProblemBadge problem={webhook.skillProblem} />
                  </TableCell>
                  <TableCell>
                    {webhook.lastDeliveryAt && webhook.lastVerdict ? (
                      <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                        <DeliveryVerdictBadge verdict={webhook.lastVerdict} />
                        <time
                          dateTime={webhook.lastDeliveryAt.toISOString()}
                          title={formatAbsolute(webhook.lastDeliveryAt)}
                          className="text-sm"
                        >
                          {formatRelative(webhook.lastDeliveryAt)}
                        </time>
                      </div>
                    ) : (
                      <span className="text-muted-foreground">never</span>
                    )}
                  </TableCell>
                  <TableCell className="hidden text-sm md:table-cell">
                    {webhook.rateLimitPerMinute}/min
                  </TableCell>
                  <TableCell>
                    {webhook.enabled ? (
                      <Badge variant="success">Enabled</Badge>
                    ) : (
                      <Badge variant="outline">Disabled</Badge>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </QueryView>
      <WebhookFormDialog open={creating} onOpenChange={setCreating} onCreated={setCreated} />
      <SecretDialog
        secret={created?.secret ?? null}
        title={`Webhook “${created?.name ?? ""}” created`}
        endpoint={created ? webhookEndpoint(created.id) : ""}
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) router.push(`/webhooks/${id}`);
        }}
      />
    </>
  );
}
