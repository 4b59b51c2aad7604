"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { Plus, Server } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { useTenantRole } from "@/components/auth/use-tenant-role";
import { useTRPC } from "@/components/providers/trpc";
import { PageHeader } from "@/components/shell/page-header";
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
import type { AppRouter } from "@/server/trpc/root";
import { McpServerActions } from "./mcp-server-actions";
import { McpServerDialog } from "./mcp-server-dialog";

export type McpServerRow = inferRouterOutputs<AppRouter>["mcpServers"]["list"][number];

/** The tenant's MCP servers: everyone reads them, admins add, test, edit and remove them. */
export function McpServerList() {
  const trpc = useTRPC();
  const { can } = useTenantRole();
  const servers = useQuery(trpc.mcpServers.list.queryOptions());
  const [adding, setAdding] = useState(false);
  const admin = can("admin");

  return (
    <>
      <PageHeader
        title="MCP servers"
        description="Remote tool servers (Model Context Protocol) that agents can use. Tokens are stored encrypted and never shown again."
        actions={
          admin && (
            <Button onClick={() => setAdding(true)}>
              <Plus aria-hidden />
              Add MCP server
            </Button>
          )
        }
      />
      {!admin && (
        <p className="text-muted-foreground mb-4 text-sm">
          You can see this tenant&apos;s MCP servers; an admin can add or change them.
        </p>
      )}
      <QueryView
        query={servers}
        loading={<Skeleton className="h-48" aria-label="Loading MCP servers" />}
        errorTitle="MCP servers could not be loaded"
        isEmpty={(list) => list.length === 0}
        empty={
          <EmptyState icon={Server} title="No MCP servers yet">
            {admin
              ? "Add one by URL to give agents its tools."
              : "An admin of this tenant can add one."}
          </EmptyState>
        }
      >
        {(list) => <McpServerTable list={list} admin={admin} />}
      </QueryView>
      <McpServerDialog open={adding} onOpenChange={setAdding} />
    </>
  );
}

function McpServerTable({ list, admin }: { list: McpServerRow[]; admin: boolean }) {
  return (
    <Table aria-label="MCP servers">
      <TableHeader>
        <TableRow>
          <TableHead>Server</TableHead>
          <TableHead className="hidden md:table-cell">Token</TableHead>
          <TableHead className="hidden md:table-cell">Used by</TableHead>
          <TableHead>State</TableHead>
          {admin && (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          )}
        </TableRow>
      </TableHeader>
      <TableBody>
        {list.map((server) => (
          <TableRow key={server.id} data-mcp-server-id={server.id}>
            <TableCell>
              <div className="font-medium">{server.name}</div>
              <div className="text-muted-foreground font-mono text-xs break-all">{server.url}</div>
            </TableCell>
            <TableCell className="hidden text-sm md:table-cell">
              {server.hasToken ? "Set" : "None"}
            </TableCell>
            <TableCell className="hidden text-sm md:table-cell">
              {server.agents.length === 0 ? (
                <span className="text-muted-foreground">No agent</span>
              ) : (
                server.agents.map((agent, index) => (
                  <span key={agent.id}>
                    {index > 0 && ", "}
                    <Link href={`/agents/${agent.id}`} className="text-link">
                      {agent.name}
                    </Link>
                  </span>
                ))
              )}
            </TableCell>
            <TableCell>
              {server.enabled ? (
                <Badge variant="success">Enabled</Badge>
              ) : (
                <Badge variant="outline">Disabled</Badge>
              )}
            </TableCell>
            {admin && (
              <TableCell className="text-right">
                <McpServerActions server={server} />
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
