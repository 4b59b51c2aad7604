"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState, type FormEvent } from "react";
import type { inferRouterOutputs } from "@trpc/server";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { formatRelative } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { MAX_DECISION_REASON_CHARS } from "@/lib/schemas/approvals";
import type { AppRouter } from "@/server/trpc/root";

export type PendingApproval = inferRouterOutputs<AppRouter>["approvals"]["list"][number];

/** Past this many characters a value is folded away behind "Show all". */
const FOLD_AT_CHARS = 600;

/** A value as an approver reads it: JSON pretty-printed, long text folded (keyboard-open). */
function Readable({ value, label }: { value: unknown; label: string }) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  const pre = (
    <pre className="bg-muted overflow-x-auto rounded-md p-3 font-mono text-xs whitespace-pre-wrap">
      {text}
    </pre>
  );
  if (text.length <= FOLD_AT_CHARS) return pre;
  return (
    <details>
      <summary className="cursor-pointer text-sm">
        {label}: {text.length.toLocaleString()} characters, show all
      </summary>
      {pre}
    </details>
  );
}

/**
 * A draft the inbox received cut to its beginning: that much, and the whole draft (read for this
 * one request) on demand. A request that changed meanwhile is not shown as this one's.
 */
function CutDraft({ approval }: { approval: PendingApproval }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const whole = useQuery({
    ...trpc.approvals.forRun.queryOptions({ runId: approval.runId }),
    enabled: open,
  });
  const draft = whole.data?.approvalId === approval.approvalId ? whole.data.draft : null;
  if (open && draft !== null) return <Readable value={draft} label="Draft" />;
  return (
    <div className="flex flex-col gap-2">
      <pre className="bg-muted overflow-x-auto rounded-md p-3 font-mono text-xs whitespace-pre-wrap">
        {approval.draft}…
      </pre>
      {open && whole.isError && (
        <p role="alert" className="text-destructive text-sm">
          The whole draft could not be loaded: {whole.error.message}
        </p>
      )}
      {open && whole.data !== undefined && draft === null && (
        <p role="status" className="text-muted-foreground text-sm">
          This request is no longer waiting; the list is being refreshed.
        </p>
      )}
      <Button
        type="button"
        variant="outline"
        className="self-start"
        disabled={open && whole.isFetching}
        onClick={() => (open ? void whole.refetch() : setOpen(true))}
      >
        Show the whole draft ({approval.draftChars.toLocaleString()} characters)
      </Button>
    </div>
  );
}

/**
 * One run awaiting a decision: what it wants to do (each held tool call with its arguments, or
 * the draft deliverable), who started it and how long it has waited; approve, or reject with a
 * reason. Viewers see it all without the controls.
 */
export function ApprovalCard({
  approval,
  showRunLink = true,
}: {
  approval: PendingApproval;
  showRunLink?: boolean;
}) {
  const { can } = useTenantRole();
  const id = useId();
  const startedBy = approval.startedBy
    ? approval.startedBy.name || approval.startedBy.email
    : `a ${approval.source}`;
  return (
    <Card data-testid="approval-card" aria-labelledby={`${id}-title`}>
      <CardHeader>
        <CardTitle id={`${id}-title`} className="flex flex-wrap items-baseline gap-x-2">
          {approval.kind === "deliverable"
            ? "Deliverable to approve"
            : `Tool call${approval.toolCalls.length === 1 ? "" : "s"} to approve: ${approval.toolCalls
                .map((call) => (call.server ? `${call.server}:${call.toolName}` : call.toolName))
                .join(", ")}`}
        </CardTitle>
        <p className="text-muted-foreground text-sm">
          {approval.skill.name} · agent {approval.agent?.name ?? "removed"} · started by {startedBy}{" "}
          · waiting since{" "}
          <time dateTime={new Date(approval.requestedAt).toISOString()}>
            {formatRelative(new Date(approval.requestedAt), new Date(approval.now).getTime())}
          </time>
          {showRunLink && (
            <>
              {" · "}
              <Link className="underline" href={`/runs/${approval.runId}`}>
                Open run
              </Link>
            </>
          )}
        </p>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {approval.kind === "deliverable" ? (
          approval.draftTruncated ? (
            <CutDraft approval={approval} />
          ) : (
            <Readable value={approval.draft ?? ""} label="Draft" />
          )
        ) : (
          approval.toolCalls.map((call) => (
            <div key={call.toolCallId} className="flex flex-col gap-1">
              <p className="text-sm font-medium">
                <code className="font-mono">{call.toolName}</code>
                {call.server ? ` on ${call.server}` : " (built in)"} with arguments:
              </p>
              <Readable value={call.input} label="Arguments" />
            </div>
          ))
        )}
        {can("operator") ? (
          <DecisionControls runId={approval.runId} approvalId={approval.approvalId} />
        ) : (
          <p className="text-muted-foreground text-sm">Operators and above approve or reject.</p>
        )}
      </CardContent>
    </Card>
  );
}

/** Approve, or reject with a reason (required: the agent, or the run's failure, carries it). */
function DecisionControls({ runId, approvalId }: { runId: string; approvalId: string }) {
  const trpc = useTRPC();
  const id = useId();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const invalidate = [trpc.approvals.pathKey(), trpc.runs.pathKey()];
  const approve = useToastMutation(trpc.approvals.approve.mutationOptions(), {
    success: "Approved: the run goes on",
    invalidate,
    invalidateOnError: true,
  });
  const reject = useToastMutation(trpc.approvals.reject.mutationOptions(), {
    success: "Rejected",
    invalidate,
    invalidateOnError: true,
  });
  const pending = approve.isPending || reject.isPending;
  const submitReject = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim()) reject.mutate({ runId, approvalId, reason: reason.trim() });
  };
  if (rejecting)
    return (
      <form className="flex flex-col gap-2" onSubmit={submitReject}>
        <Label htmlFor={`${id}-reason`}>Why is it rejected? (the agent is told)</Label>
        <Textarea
          id={`${id}-reason`}
          required
          autoFocus
          maxLength={MAX_DECISION_REASON_CHARS}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
        <div className="flex gap-2">
          <Button type="submit" variant="destructive" disabled={pending || !reason.trim()}>
            Reject
          </Button>
          <Button type="button" variant="ghost" onClick={() => setRejecting(false)}>
            Back
          </Button>
        </div>
      </form>
    );
  return (
    <div className="flex gap-2">
      <Button disabled={pending} onClick={() => approve.mutate({ runId, approvalId })}>
        Approve
      </Button>
      <Button variant="outline" disabled={pending} onClick={() => setRejecting(true)}>
        Reject…
      </Button>
    </div>
  );
}
