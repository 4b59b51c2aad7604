"use client";

import { useQuery } from "@tanstack/react-query";
import { Bot, Plus } from "lucide-react";
import Link from "next/link";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { QueryView } from "@/components/shell/query-view";
import { EmptyState } from "@/components/shell/empty-state";
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

export function ModelState({
  configured,
  missingSettings,
}: {
  configured: boolean;
  missingSettings: string[];
}) {
  return configured ? (
    <Badge variant="success">Configured</Badge>
  ) : (
    <Badge
      variant="warning"
      title={missingSettings.length ? `Set ${missingSettings.join(", ")}` : "Unknown provider"}
    >
      Not configured
    </Badge>
  );
}

/** For admins and owners: the way to a new agent. */
export function NewAgentButton() {
  const { can } = useTenantRole();
  if (!can("admin")) return null;
  return (
    <Button asChild>
      <Link href="/agents/new">
        <Plus aria-hidden />
        New agent
      </Link>
    </Button>
  );
}

export function AgentList() {
  const trpc = useTRPC();
  const agents = useQuery(trpc.agents.list.queryOptions());
  return (
    <QueryView
      query={agents}
      loading={<Skeleton className="h-48" aria-label="Loading agents" />}
      errorTitle="Agents could not be loaded"
      isEmpty={(list) => list.length === 0}
      empty={<EmptyState icon={Bot} title="No agents in this tenant" />}
    >
      {(list) => (
        <Table aria-label="Agents">
          <TableHeader>
            <TableRow>
              <TableHead>Agent</TableHead>
              <TableHead className="hidden sm:table-cell">Template</TableHead>
              <TableHead className="hidden sm:table-cell">Model</TableHead>
              <TableHead>State</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {list.map((agent) => (
              <TableRow key={agent.id}>
                <TableCell>
                  <Link href={`/agents/${agent.id}`} className="font-medium hover:underline">
                    {agent.name}
                  </Link>
                  {agent.isDefault && (
                    <Badge variant="outline" className="ml-2">
                      Default
                    </Badge>
                  )}
                  {agent.description && (
                    <div className="text-muted-foreground text-xs">{agent.description}</div>
                  )}
                  {/* On a phone the template and model sit under the name, not in columns. */}
                  <div className="text-muted-foreground mt-1 text-xs break-all sm:hidden">
                    {agent.template.name} · <code className="font-mono">{agent.model}</code>
                  </div>
                </TableCell>
                <TableCell className="hidden sm:table-cell">{agent.template.name}</TableCell>
                <TableCell className="hidden sm:table-cell">
                  <code className="font-mono text-xs">{agent.model}</code>
                </TableCell>
                <TableCell>
                  <ModelState
                    configured={agent.configured}
                    missingSettings={agent.missingSettings}
                  />
                  {!agent.configured && agent.missingSettings.length > 0 && (
                    <div className="text-muted-foreground mt-1 text-xs">
                      Set {agent.missingSettings.join(", ")}
                    </div>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </QueryView>
  );
}
