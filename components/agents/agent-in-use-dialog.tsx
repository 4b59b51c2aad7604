"use client";

import type { Route } from "next";
import Link from "next/link";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import type { SavedAgent } from "./agent-form";

/** Why the agent cannot be deleted yet: it is the default, or schedules and webhooks name it. */
export function AgentInUseDialog({ agent, onClose }: { agent: SavedAgent; onClose: () => void }) {
  const users: { key: string; kind: string; name: string; href: Route }[] = [
    ...agent.usedBy.schedules.map((schedule) => ({
      key: schedule.id,
      kind: "Schedule",
      name: schedule.name,
      href: `/schedules/${schedule.id}` as Route,
    })),
    ...agent.usedBy.webhooks.map((webhook) => ({
      key: webhook.id,
      kind: "Webhook",
      name: webhook.name,
      href: `/webhooks/${webhook.id}` as Route,
    })),
  ];
  return (
    <AlertDialog
      defaultOpen
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      <AlertDialogContent>
        <AlertDialogTitle>{agent.name} cannot be deleted yet</AlertDialogTitle>
        <AlertDialogDescription>
          {agent.isDefault
            ? "It is the tenant's default agent: make another agent the default first."
            : "These still run with it. Point them at another agent, or delete them, first."}
        </AlertDialogDescription>
        {agent.isDefault && users.length > 0 && (
          <p className="text-muted-foreground text-sm">
            These also run with it; point them at another agent, or delete them, too.
          </p>
        )}
        {users.length > 0 && (
          <ul aria-label="Used by" className="flex flex-col gap-1 text-sm">
            {users.map((user) => (
              <li key={user.key}>
                <span className="text-muted-foreground">{user.kind}</span>{" "}
                <Link href={user.href} className="text-link">
                  {user.name}
                </Link>
              </li>
            ))}
          </ul>
        )}
        <AlertDialogFooter>
          <AlertDialogCancel>Close</AlertDialogCancel>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
