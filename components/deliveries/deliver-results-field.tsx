"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { CHANNEL_KIND_LABELS } from "@/components/alerts/alert-labels";
import { useTRPC } from "@/components/providers/trpc";
import { Checkbox } from "@/components/ui/checkbox";

/**
 * "Deliver results to": the tenant's notification channels a schedule's or webhook's runs send
 * their deliverable to when they end. Channels are created on the Alerts page.
 */
export function DeliverResultsField({
  value,
  onChange,
  error,
}: {
  value: readonly string[];
  onChange: (channelIds: string[]) => void;
  error?: string;
}) {
  const trpc = useTRPC();
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const toggle = (channelId: string, checked: boolean) =>
    onChange(checked ? [...value, channelId] : value.filter((id) => id !== channelId));
  return (
    <fieldset className="flex flex-col gap-1.5">
      <legend className="mb-1 text-sm font-medium">Deliver results to</legend>
      {channels.isPending ? (
        <p className="text-muted-foreground text-sm">Loading channels…</p>
      ) : channels.isError ? (
        <p className="text-destructive text-sm">The channels could not be loaded.</p>
      ) : channels.data.length === 0 ? (
        <p className="text-muted-foreground text-sm">
          No channels yet.{" "}
          <Link href="/alerts" className="underline underline-offset-2">
            Add an email, Slack or webhook channel on the Alerts page
          </Link>{" "}
          to receive each run&apos;s result.
        </p>
      ) : (
        <div className="flex max-h-40 flex-col gap-1 overflow-y-auto">
          {channels.data.map((channel) => (
            <label key={channel.id} className="flex items-center gap-2 text-sm">
              <Checkbox
                checked={value.includes(channel.id)}
                onChange={(event) => toggle(channel.id, event.target.checked)}
              />
              {channel.name}
              <span className="text-muted-foreground">· {CHANNEL_KIND_LABELS[channel.kind]}</span>
            </label>
          ))}
        </div>
      )}
      <p className="text-muted-foreground text-xs">
        Each finished run&apos;s deliverable is sent to every checked channel; the run page lists
        each delivery.
      </p>
      {error && <p className="text-destructive text-sm">{`Deliver results to ${error}`}</p>}
    </fieldset>
  );
}
