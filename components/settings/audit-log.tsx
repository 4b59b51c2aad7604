"use client";

import { hasActiveFilters } from "@/components/url-filters";
import { useInfiniteQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { LoaderCircle, ScrollText } from "lucide-react";
import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { formatAbsolute, formatRelative } from "@/components/format";
import { QueryView } from "@/components/shell/query-view";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import {
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
import { AUDIT_ACTIONS, type AuditAction } from "@/lib/enums";
import type { AppRouter } from "@/server/trpc/root";
import { AuditChanges } from "./audit-changes";
import { AuditFilterBar } from "./audit-filter-bar";
import { ACTION_LABELS, ACTOR_LABELS, auditListInputOf, useAuditFilters } from "./audit-filters";

type Entry = inferRouterOutputs<AppRouter>["audit"]["list"]["entries"][number];

const shortId = (id: string) => id.slice(0, 8);
const text = (value: unknown) => (typeof value === "string" && value ? value : null);
const isAction = (action: string): action is AuditAction =>
  (AUDIT_ACTIONS as readonly string[]).includes(action);

/** The tenant's audit log: who changed what, when and from where. Admins only. */
export function AuditLog() {
  const { role, can } = useTenantRole();
  if (role === null) return <Skeleton className="h-96" />;
  if (!can("admin")) {
    return (
      <Card>
        <CardContent className="text-muted-foreground pt-6 text-sm">
          Only admins of this tenant can read its audit log.
        </CardContent>
      </Card>
    );
  }
  return (
    <>
      <AuditFilterBar />
      <AuditTable />
    </>
  );
}

function AuditTable() {
  const trpc = useTRPC();
  const [filters, setFilters] = useAuditFilters();
  const input = useMemo(() => auditListInputOf(filters), [filters]);
  const log = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(input, { getNextPageParam: (page) => page.nextCursor }),
  );
  const entries = useMemo(() => log.data?.pages.flatMap((page) => page.entries) ?? [], [log.data]);

  const filtered = hasActiveFilters(filters);

  return (
    <QueryView
      query={log}
      loading={
        <div className="flex flex-col gap-2" aria-busy="true" aria-label="Loading the audit log">
          {Array.from({ length: 8 }, (_, index) => (
            <Skeleton key={index} className="h-11" />
          ))}
        </div>
      }
      errorTitle="The audit log could not be loaded"
      isEmpty={() => entries.length === 0}
      empty={
        <div className="border-border flex flex-col items-center rounded-lg border border-dashed px-6 py-16 text-center">
          <ScrollText className="text-muted-foreground mb-3 size-8" aria-hidden />
          <p className="font-medium">
            {filtered ? "No entries match these filters" : "Nothing recorded yet"}
          </p>
          <p className="text-muted-foreground mt-1 text-sm">
            {filtered ? (
              <Button variant="link" className="h-auto p-0" onClick={() => void setFilters(null)}>
                Clear the filters
              </Button>
            ) : (
              "Runs started or cancelled, schedule, webhook, API key and member changes, and failed sign-ins appear here."
            )}
          </p>
        </div>
      }
    >
      {() => (
        <>
          <Table aria-label="Audit log" aria-busy={log.isFetching}>
            <TableHeader>
              <TableRow>
                <TableHead>Time</TableHead>
                <TableHead>Actor</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Target</TableHead>
                <TableHead>Origin</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell>
                    <time
                      dateTime={entry.at.toISOString()}
                      title={formatAbsolute(entry.at)}
                      className="whitespace-nowrap"
                    >
                      {formatRelative(entry.at)}
                    </time>
                  </TableCell>
                  <TableCell>
                    <Actor entry={entry} />
                  </TableCell>
                  <TableCell>
                    <span className="flex flex-col leading-tight">
                      <span className="whitespace-nowrap" title={entry.action}>
                        {isAction(entry.action) ? ACTION_LABELS[entry.action] : entry.action}
                      </span>
                      {text(entry.metadata.reason) && (
                        <span
                          className="text-muted-foreground max-w-64 truncate text-xs"
                          title={text(entry.metadata.reason) ?? undefined}
                        >
                          {text(entry.metadata.reason)}
                        </span>
                      )}
                      <AuditChanges metadata={entry.metadata} />
                    </span>
                  </TableCell>
                  <TableCell>
                    <Target entry={entry} />
                  </TableCell>
                  <TableCell className="text-muted-foreground font-mono text-xs">
                    {entry.origin ?? "—"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <div className="text-muted-foreground mt-4 flex items-center justify-between text-sm">
            <span>
              {entries.length} {entries.length === 1 ? "entry" : "entries"} shown
            </span>
            {log.hasNextPage && (
              <Button
                variant="outline"
                size="sm"
                onClick={() => void log.fetchNextPage()}
                disabled={log.isFetchingNextPage}
              >
                {log.isFetchingNextPage && <LoaderCircle aria-hidden className="animate-spin" />}
                Load more
              </Button>
            )}
          </div>
        </>
      )}
    </QueryView>
  );
}

/** Two lines: what it is, and a quieter detail. */
function Named({ primary, secondary }: { primary: ReactNode; secondary?: ReactNode }) {
  return (
    <span className="flex flex-col leading-tight">
      <span className="max-w-48 truncate">{primary}</span>
      {secondary && (
        <span className="text-muted-foreground max-w-48 truncate text-xs">{secondary}</span>
      )}
    </span>
  );
}

function Actor({ entry }: { entry: Entry }) {
  const { actor } = entry;
  const label = ACTOR_LABELS[actor.type];
  if (actor.type === "system") return <Named primary="Skillrun" secondary="automatic" />;
  // A failed sign-in on an email that matches no account.
  if (!actor.id) return <Named primary="Unknown account" secondary={label} />;
  const name = actor.name ?? `${label} ${shortId(actor.id)} (deleted)`;
  if (actor.type === "user") return <Named primary={name} secondary={actor.email} />;
  if (actor.type === "schedule" && actor.name) {
    return (
      <Named
        primary={
          <Link href={`/schedules/${actor.id}`} className="hover:underline">
            {name}
          </Link>
        }
        secondary={label}
      />
    );
  }
  return <Named primary={name} secondary={label} />;
}

/** What each kind of audit target is called in the Target column. */
const TARGET_KINDS: Record<string, string> = {
  api_key: "API key",
  user: "Member",
  webhook: "Webhook",
  skill: "Skill",
  agent: "Agent",
  template: "Template",
  guardrail: "Guardrail",
  mcp_server: "MCP server",
  knowledge_base: "Knowledge base",
  kb_document: "Knowledge base document",
  alert_channel: "Alert channel",
  alert_rule: "Alert rule",
};

function Target({ entry }: { entry: Entry }) {
  const { target, metadata } = entry;
  if (entry.action === "auth.sign_in_failed")
    return <Named primary={text(metadata.email) ?? "—"} secondary="email typed" />;
  if (!target.type || !target.id) return <span className="text-muted-foreground">—</span>;
  // Deleted rows keep the name the entry recorded.
  const name = target.name ?? text(metadata.name);
  const link = (href: string, label: string) => (
    <Link href={href} className="text-link">
      {label}
    </Link>
  );
  if (target.type === "run")
    return (
      <Named
        primary={link(`/runs/${target.id}`, name ?? `Run ${shortId(target.id)}`)}
        secondary={`Run ${shortId(target.id)}`}
      />
    );
  if (target.type === "schedule") {
    const runId = text(metadata.runId);
    return (
      <Named
        primary={
          target.name
            ? link(`/schedules/${target.id}`, target.name)
            : `${name ?? shortId(target.id)} (deleted)`
        }
        secondary={runId ? link(`/runs/${runId}`, `Run ${shortId(runId)}`) : "Schedule"}
      />
    );
  }
  // An invitation's id is a token hash: the invited email names it.
  if (target.type === "invitation")
    return <Named primary={text(metadata.email) ?? shortId(target.id)} secondary="Invitation" />;
  const kind = TARGET_KINDS[target.type] ?? target.type;
  return <Named primary={name ?? shortId(target.id)} secondary={kind} />;
}
