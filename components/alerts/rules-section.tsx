"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { BellRing, Plus } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { EmptyState } from "@/components/shell/empty-state";
import { QueryView } from "@/components/shell/query-view";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { SectionCard } from "@/components/shell/section-card";
import { Skeleton } from "@/components/ui/skeleton";
import type { AppRouter } from "@/server/trpc/root";
import { TRIGGER_LABELS } from "./alert-labels";
import { RuleDialog } from "./rule-dialog";
import { TestOutcomes, type TestOutcome } from "./test-outcomes";

export type RuleRow = inferRouterOutputs<AppRouter>["alerts"]["rules"][number];

function RuleActions({ rule }: { rule: RuleRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [outcomes, setOutcomes] = useState<TestOutcome[] | null>(null);
  const test = useMutation(trpc.alerts.testRule.mutationOptions());
  const remove = useMutation(trpc.alerts.deleteRule.mutationOptions());
  return (
    <>
      <div className="flex flex-wrap gap-2">
        <Button
          variant="outline"
          size="sm"
          disabled={test.isPending}
          onClick={async () => {
            setOutcomes(null);
            try {
              setOutcomes(await test.mutateAsync({ ruleId: rule.id }));
              await queryClient.invalidateQueries({ queryKey: trpc.alerts.history.pathKey() });
            } catch (error) {
              toast.error(error instanceof Error ? error.message : "The test could not be sent.");
            }
          }}
        >
          {test.isPending ? "Sending…" : "Send test"}
          <span className="sr-only"> for {rule.name}</span>
        </Button>
        <Button variant="outline" size="sm" onClick={() => setEditing(true)}>
          Edit<span className="sr-only"> {rule.name}</span>
        </Button>
        <Button variant="outline" size="sm" onClick={() => setDeleting(true)}>
          Delete<span className="sr-only"> {rule.name}</span>
        </Button>
      </div>
      {outcomes && <TestOutcomes outcomes={outcomes} />}
      <RuleDialog open={editing} onOpenChange={setEditing} rule={rule} />
      <ConfirmDialog
        open={deleting}
        onOpenChange={setDeleting}
        title={`Delete ${rule.name}?`}
        description="It stops firing; its past deliveries stay in the history."
        cancelLabel="Keep it"
        confirmLabel="Delete rule"
        destructive
        pending={remove.isPending}
        onConfirm={async () => {
          try {
            await remove.mutateAsync({ ruleId: rule.id });
            toast.success(`Rule “${rule.name}” deleted`);
            await queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
          } catch (error) {
            toast.error(error instanceof Error ? error.message : "The rule could not be deleted.");
          }
        }}
      />
    </>
  );
}

/** The tenant's rules: every member reads them, admins add, test, edit and delete them. */
export function RulesSection({ admin }: { admin: boolean }) {
  const trpc = useTRPC();
  const rules = useQuery(trpc.alerts.rules.queryOptions());
  const [adding, setAdding] = useState(false);
  return (
    <SectionCard
      title="Rules"
      description="What to watch, and which channels to tell."
      action={
        admin && (
          <Button onClick={() => setAdding(true)}>
            <Plus aria-hidden />
            Add rule
          </Button>
        )
      }
    >
      <QueryView
        query={rules}
        loading={<Skeleton className="h-24" aria-label="Loading alert rules" />}
        errorTitle="Alert rules could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState icon={BellRing} title="No alert rules yet">
            {admin
              ? "Add a channel, then a rule such as “any failure of a skill”."
              : "An admin of this tenant can add one."}
          </EmptyState>
        }
      >
        {(list) => (
          <ul aria-label="Alert rules">
            {list.map((rule) => (
              <li
                key={rule.id}
                className="border-border flex flex-col gap-2 border-b py-3 last:border-b-0"
              >
                <div className="flex flex-wrap items-center gap-2">
                  <p className="font-medium">{rule.name}</p>
                  {!rule.enabled && <Badge variant="outline">Off</Badge>}
                </div>
                <p className="text-muted-foreground text-sm">
                  {TRIGGER_LABELS[rule.trigger]}
                  {rule.trigger === "approval_waiting" && rule.filters.waitMinutes !== undefined
                    ? ` (over ${rule.filters.waitMinutes} min)`
                    : ""}{" "}
                  · cooldown {rule.cooldownMinutes} min ·{" "}
                  {rule.channelIds.length === 1
                    ? "1 channel"
                    : `${rule.channelIds.length} channels`}
                  {rule.lastFiredAt
                    ? ` · last fired ${formatRelative(new Date(rule.lastFiredAt))}`
                    : " · never fired"}
                </p>
                {admin && <RuleActions rule={rule} />}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
      {admin && <RuleDialog open={adding} onOpenChange={setAdding} />}
    </SectionCard>
  );
}
