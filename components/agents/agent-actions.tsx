"use client";

import { Copy, Star, Trash2 } from "lucide-react";
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { SavedAgent } from "./agent-form";

// Like ConfirmDialog's, the dialog's code loads when it is first opened.
const AgentInUseDialog = dynamic(
  () => import("./agent-in-use-dialog").then((module) => module.AgentInUseDialog),
  { ssr: false },
);

/** Set as default, duplicate and delete, each asked first where it cannot be taken back. */
export function AgentActions({ agent }: { agent: SavedAgent }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [asking, setAsking] = useState<"default" | "delete" | "in-use" | null>(null);
  const invalidate = [trpc.agents.pathKey()];
  const setDefault = useToastMutation(trpc.agents.setDefault.mutationOptions(), {
    success: `${agent.name} is now the default agent`,
    invalidate,
  });
  const duplicate = useToastMutation(trpc.agents.duplicate.mutationOptions(), {
    success: `${agent.name} duplicated`,
    invalidate,
    afterSuccess: ({ id }) => router.push(`/agents/${id}`),
  });
  const remove = useToastMutation(trpc.agents.delete.mutationOptions(), {
    success: `${agent.name} deleted`,
    invalidate,
    invalidateOnError: true,
    afterSuccess: () => router.push("/agents"),
  });
  const blocked =
    agent.isDefault || agent.usedBy.schedules.length + agent.usedBy.webhooks.length > 0;
  const close = (open: boolean) => {
    if (!open) setAsking(null);
  };

  return (
    <div className="flex flex-wrap items-center gap-2">
      {agent.isDefault ? (
        <Badge variant="outline">Default agent</Badge>
      ) : (
        <Button variant="outline" onClick={() => setAsking("default")}>
          <Star aria-hidden />
          Make default
        </Button>
      )}
      <Button
        variant="outline"
        disabled={duplicate.isPending}
        onClick={() => duplicate.mutate({ agentId: agent.id })}
      >
        <Copy aria-hidden />
        Duplicate
      </Button>
      <Button variant="outline" onClick={() => setAsking(blocked ? "in-use" : "delete")}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <ConfirmDialog
        open={asking === "default"}
        onOpenChange={close}
        title={`Make ${agent.name} the default agent?`}
        description="Runs that name no agent use the default: Run now without a choice, the API, and schedules and webhooks set to the tenant's default. The current default stops being it."
        cancelLabel="Cancel"
        confirmLabel="Make default"
        destructive={false}
        pending={setDefault.isPending}
        onConfirm={() => {
          setAsking(null);
          setDefault.mutate({ agentId: agent.id });
        }}
      />
      <ConfirmDialog
        open={asking === "delete"}
        onOpenChange={close}
        title={`Delete ${agent.name}?`}
        description="Its past runs keep the config they ran with. This cannot be undone."
        cancelLabel="Keep it"
        confirmLabel="Delete agent"
        pending={remove.isPending}
        onConfirm={() => {
          setAsking(null);
          remove.mutate({ agentId: agent.id });
        }}
      />
      {asking === "in-use" && <AgentInUseDialog agent={agent} onClose={() => setAsking(null)} />}
    </div>
  );
}
