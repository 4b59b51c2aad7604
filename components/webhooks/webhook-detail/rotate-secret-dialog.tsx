"use client";

import { useId, useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";

/** Grace choices for the old secret after a rotation; the server allows 0 to 168 hours. */
const GRACE_CHOICES = [
  { hours: 0, label: "None: the old secret stops now" },
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 168, label: "7 days" },
];

export function RotateSecretDialog({
  open,
  onOpenChange,
  webhookId,
  onRotated,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  webhookId: string;
  onRotated: (secret: string) => void;
}) {
  const trpc = useTRPC();
  const id = useId();
  const [graceHours, setGraceHours] = useState(24);
  const rotate = useToastMutation(
    trpc.webhooks.rotateSecret.mutationOptions({
      onSuccess: ({ secret }) => {
        onOpenChange(false);
        onRotated(secret);
      },
    }),
    { invalidate: [trpc.webhooks.get.queryKey({ webhookId })] },
  );
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (!rotate.isPending) rotate.mutate({ webhookId, graceHours });
          }}
        >
          <DialogHeader>
            <DialogTitle>Rotate the signing secret</DialogTitle>
            <DialogDescription>
              A new secret is made and shown once. The current one keeps working for the grace
              period, so the sender can switch without losing deliveries.
            </DialogDescription>
          </DialogHeader>
          <DialogBody className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-grace`}>Old secret stays valid for</Label>
            <Select
              id={`${id}-grace`}
              value={graceHours}
              onChange={(event) => setGraceHours(Number(event.target.value))}
            >
              {GRACE_CHOICES.map((choice) => (
                <option key={choice.hours} value={choice.hours}>
                  {choice.label}
                </option>
              ))}
            </Select>
          </DialogBody>
          <FormDialogFooter
            onCancel={() => onOpenChange(false)}
            pending={rotate.isPending}
            submitLabel="Rotate secret"
          />
        </form>
      </DialogContent>
    </Dialog>
  );
}
