"use client";

import { useMutation } from "@tanstack/react-query";
import { Ellipsis } from "lucide-react";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { ConnectionTestDialog } from "./connection-test-dialog";
import { McpServerDialog } from "./mcp-server-dialog";
import type { McpServerRow } from "./mcp-server-list";

/** What deleting takes away, in words: the agents that lose the server's tools. */
function deleteConsequence(agents: McpServerRow["agents"]): string {
  if (agents.length === 0) return "No agent uses it. Runs that used it stay in the history.";
  const names = agents.map((agent) => `“${agent.name}”`).join(", ");
  return `${agents.length === 1 ? "The agent" : "The agents"} ${names} will no longer have its tools. Runs that used it stay in the history.`;
}

/** An admin's controls for one server: test the connection, edit, enable or disable, delete. */
export function McpServerActions({ server }: { server: McpServerRow }) {
  const trpc = useTRPC();
  const [editing, setEditing] = useState(false);
  const [testing, setTesting] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const invalidate = [trpc.mcpServers.pathKey()];
  const test = useMutation(trpc.mcpServers.testConnection.mutationOptions());
  const toggle = useToastMutation(trpc.mcpServers.setEnabled.mutationOptions(), {
    success: (_, variables) =>
      variables.enabled ? `“${server.name}” enabled` : `“${server.name}” disabled`,
    invalidate,
  });
  const remove = useToastMutation(trpc.mcpServers.delete.mutationOptions(), {
    success: `“${server.name}” deleted`,
    invalidate,
  });
  const runTest = () => {
    setTesting(true);
    test.reset();
    test.mutate({ mcpServerId: server.id });
  };

  return (
    <>
      <DropdownMenu>
        <DropdownMenuTrigger asChild>
          <Button variant="ghost" size="icon" aria-label={`Actions for ${server.name}`}>
            <Ellipsis aria-hidden />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="end" className="min-w-44">
          <DropdownMenuItem onSelect={runTest}>Test connection</DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setEditing(true)}>Edit</DropdownMenuItem>
          <DropdownMenuItem
            disabled={toggle.isPending}
            onSelect={() => toggle.mutate({ mcpServerId: server.id, enabled: !server.enabled })}
          >
            {server.enabled ? "Disable" : "Enable"}
          </DropdownMenuItem>
          <DropdownMenuSeparator />
          <DropdownMenuItem onSelect={() => setConfirmDelete(true)}>Delete</DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <McpServerDialog open={editing} onOpenChange={setEditing} server={server} />
      <ConnectionTestDialog
        open={testing}
        onOpenChange={setTesting}
        serverName={server.name}
        test={test}
      />
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete “${server.name}”?`}
        description={deleteConsequence(server.agents)}
        cancelLabel="Keep it"
        confirmLabel="Delete MCP server"
        pending={remove.isPending}
        onConfirm={() => remove.mutate({ mcpServerId: server.id })}
      />
    </>
  );
}
