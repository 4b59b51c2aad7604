"use client";

import { Pencil, RotateCcw, Trash2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { ConfirmDialog } from "@/components/shell/confirm-dialog";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import { Button } from "@/components/ui/button";
import { SecretDialog } from "../secret-dialog";
import { WebhookFormDialog } from "../webhook-form-dialog";
import { webhookEndpoint } from "../webhook-list";
import { RotateSecretDialog } from "./rotate-secret-dialog";
import type { WebhookData } from "./webhook-data";

/** An admin's controls: enable or disable, edit, rotate the secret, delete. */
export function WebhookActions({ webhookId, data }: { webhookId: string; data: WebhookData }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [rotating, setRotating] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [newSecret, setNewSecret] = useState<string | null>(null);
  const invalidate = [trpc.webhooks.pathKey()];
  const toggle = useToastMutation(trpc.webhooks.setEnabled.mutationOptions(), {
    success: (_, variables) => (variables.enabled ? "Webhook enabled" : "Webhook disabled"),
    invalidate,
  });
  const remove = useToastMutation(trpc.webhooks.delete.mutationOptions(), {
    success: "Webhook deleted",
    invalidate,
    afterSuccess: () => router.push("/webhooks"),
  });

  return (
    <div className="flex flex-wrap gap-2">
      <Button
        variant="outline"
        onClick={() => toggle.mutate({ webhookId, enabled: !data.enabled })}
        disabled={toggle.isPending}
      >
        {data.enabled ? "Disable" : "Enable"}
      </Button>
      <Button variant="outline" onClick={() => setEditing(true)}>
        <Pencil aria-hidden />
        Edit
      </Button>
      <Button variant="outline" onClick={() => setRotating(true)}>
        <RotateCcw aria-hidden />
        Rotate secret
      </Button>
      <Button variant="outline" onClick={() => setConfirmDelete(true)}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <WebhookFormDialog
        open={editing}
        onOpenChange={setEditing}
        webhookId={webhookId}
        initial={{
          name: data.name,
          skillId: data.skill.id,
          agentId: data.agent?.id ?? null,
          inputMapping: data.inputMapping,
          tags: data.tags,
          tagMapping: data.tagMapping,
          deliveryChannelIds: data.deliveryChannelIds,
          rateLimitPerMinute: data.rateLimitPerMinute,
          enabled: data.enabled,
        }}
      />
      <RotateSecretDialog
        open={rotating}
        onOpenChange={setRotating}
        webhookId={webhookId}
        onRotated={setNewSecret}
      />
      <SecretDialog
        secret={newSecret}
        title="Secret rotated"
        endpoint={webhookEndpoint(webhookId)}
        onClose={() => setNewSecret(null)}
      />
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete “${data.name}”?`}
        description="Deliveries to it get 404 from now on, and its delivery log goes with it. Runs it started stay in the history."
        cancelLabel="Keep it"
        confirmLabel="Delete webhook"
        onConfirm={() => remove.mutate({ webhookId })}
      />
    </div>
  );
}
