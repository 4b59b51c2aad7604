"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { Megaphone, Plus } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { EmptyState } from "@/components/shell/empty-state";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { SectionCard } from "@/components/shell/section-card";
import { Skeleton } from "@/components/ui/skeleton";
import type { AppRouter } from "@/server/trpc/root";
import { CHANNEL_KIND_LABELS, savedSecretText } from "./alert-labels";
import { ChannelDialog } from "./channel-dialog";
import { TestOutcomes, type TestOutcome } from "./test-outcomes";

export type ChannelRow = inferRouterOutputs<AppRouter>["alerts"]["channels"][number];

/** Where a channel sends, in a line: addresses and hosts, never a secret. */
function targetText(channel: ChannelRow): string {
  const config = channel.config as Record<string, unknown>;
  if (channel.kind === "email" && Array.isArray(config.recipients))
    return `${config.recipients.join(", ")} via ${String(config.smtpHost)}`;
  if (channel.kind === "webhook" && typeof config.url === "string") return config.url;
  return `Incoming webhook, ${savedSecretText(channel.secretHint)}`;
}

function ChannelItem({ channel }: { channel: ChannelRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [outcomes, setOutcomes] = useState<TestOutcome[] | null>(null);
  const test = useMutation(trpc.alerts.testChannel.mutationOptions());
  const remove = useMutation(trpc.alerts.deleteChannel.mutationOptions());
  return (
    <li className="border-border flex flex-col gap-2 border-b py-3 last:border-b-0">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium">{channel.name}</p>
          <p className="text-muted-foreground text-sm break-all">
            {CHANNEL_KIND_LABELS[channel.kind]} · {targetText(channel)}
            {channel.kind === "email" && channel.hasSecret
              ? ` · password ${savedSecretText(channel.secretHint)}`
              : ""}
          </p>
        </div>
        <div className="flex gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={test.isPending}
            onClick={async () => {
              setOutcomes(null);
              try {
                setOutcomes(await test.mutateAsync({ channelId: channel.id }));
                await queryClient.invalidateQueries({ queryKey: trpc.alerts.history.pathKey() });
              } catch (error) {
                toast.error(error instanceof Error ? error.message : "The test could not be sent.");
              }
            }}
          >
            {test.isPending ? "Sending…" : "Send test"}
            <span className="sr-only"> to {channel.name}</span>
          </Button>
          <Button variant="outline" size="sm" onClick={() => setEditing(true)}>
            Edit<span className="sr-only"> {channel.name}</span>
          </Button>
          <Button variant="outline" size="sm" onClick={() => setDeleting(true)}>
            Delete<span className="sr-only"> {channel.name}</span>
          </Button>
        </div>
      </div>
      {outcomes && <TestOutcomes outcomes={outcomes} />}
      <ChannelDialog open={editing} onOpenChange={setEditing} channel={channel} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete ${channel.name}?`}
        description="Rules stop sending to it; its past deliveries stay in the history."
        cancelLabel="Keep it"
        confirmLabel="Delete channel"
        destructive
        pending={remove.isPending}
        onConfirm={async () => {
          try {
            await remove.mutateAsync({ channelId: channel.id });
            toast.success(`Channel “${channel.name}” deleted`);
            await queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
          } catch (error) {
            toast.error(
              error instanceof Error ? error.message : "The channel could not be deleted.",
            );
          }
        }}
      />
    </li>
  );
}

/** The tenant's channels: admins only (they hold addresses and URLs). */
export function ChannelsSection() {
  const trpc = useTRPC();
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const [adding, setAdding] = useState(false);
  return (
    <SectionCard
      title="Channels"
      description="Email over your SMTP server, Slack, or a signed webhook."
      action={
        <Button onClick={() => setAdding(true)}>
          <Plus aria-hidden />
          Add channel
        </Button>
      }
    >
      <QueryView
        query={channels}
        loading={<Skeleton className="h-24" aria-label="Loading channels" />}
        errorTitle="Channels could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState icon={Megaphone} title="No channels yet">
            Add one, then name it in a rule.
          </EmptyState>
        }
      >
        {(list) => (
          <ul aria-label="Channels">
            {list.map((channel) => (
              <ChannelItem key={channel.id} channel={channel} />
            ))}
          </ul>
        )}
      </QueryView>
      <ChannelDialog open={adding} onOpenChange={setAdding} />
    </SectionCard>
  );
}
