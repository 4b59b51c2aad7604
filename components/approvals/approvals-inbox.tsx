"use client";

import { useQuery } from "@tanstack/react-query";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { ApprovalCard, type PendingApproval } from "./approval-card";

/**
 * How often the inbox asks again: a request waits minutes to hours, so a few seconds' delay is
 * nothing, and each poll carries up to 200 requests (drafts cut to their preview).
 */
const INBOX_POLL_MS = 5_000;

/** Requests for the same action with the same arguments, in the order the first was made. */
function identicalGroups(approvals: PendingApproval[]) {
  const groups = new Map<string, PendingApproval[]>();
  for (const approval of approvals)
    groups.set(approval.actionKey, [...(groups.get(approval.actionKey) ?? []), approval]);
  return [...groups.values()];
}

function ApproveAll({ group }: { group: PendingApproval[] }) {
  const trpc = useTRPC();
  const approveMany = useToastMutation(trpc.approvals.approveMany.mutationOptions(), {
    success: (results) =>
      `Approved ${results.filter((result) => result.approved).length} of ${results.length}`,
    invalidate: [trpc.approvals.pathKey(), trpc.runs.pathKey()],
    invalidateOnError: true,
  });
  return (
    <Button
      variant="outline"
      disabled={approveMany.isPending}
      onClick={() =>
        approveMany.mutate({
          runIds: group.map((approval) => approval.runId),
          actionKey: group[0]?.actionKey ?? "",
        })
      }
    >
      Approve all {group.length} identical
    </Button>
  );
}

/** The Approvals page: every run of the tenant waiting for a decision, oldest first. */
export function ApprovalsInbox() {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const list = useQuery({
    ...trpc.approvals.list.queryOptions(),
    refetchInterval: INBOX_POLL_MS,
    // A tab in the background asks nothing; it refreshes when it is looked at again.
    refetchIntervalInBackground: false,
  });
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold">Approvals</h1>
        <p className="text-muted-foreground text-sm">
          Runs paused before an action their template gates. Past its timeout a run fails.
        </p>
      </div>
      <QueryView
        query={list}
        loading={
          <div aria-busy="true" aria-label="Loading approvals" className="flex flex-col gap-4">
            <Skeleton className="h-40" />
            <Skeleton className="h-40" />
          </div>
        }
        errorTitle="The approvals could not be loaded"
        isEmpty={(approvals) => approvals.length === 0}
        empty={
          <p className="text-muted-foreground rounded-lg border border-dashed p-6 text-sm">
            Nothing is waiting for approval.
          </p>
        }
      >
        {(approvals) =>
          identicalGroups(approvals).map((group) => (
            <section key={group[0]!.actionKey} className="flex flex-col gap-3">
              {group.length > 1 && can("operator") && <ApproveAll group={group} />}
              {group.map((approval) => (
                <ApprovalCard key={approval.approvalId} approval={approval} />
              ))}
            </section>
          ))
        }
      </QueryView>
    </div>
  );
}
