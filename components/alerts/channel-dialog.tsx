"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FormDialogShell } from "@/components/shell/form-dialog-shell";
import {
  Dialog,
  DialogBody,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import {
  createChannelInput,
  updateChannelInput,
  type ChannelSecretChange,
} from "@/lib/schemas/alerts";
import {
  channelOf,
  EMPTY_CHANNEL_FIELDS,
  fieldOfPath,
  fieldsOf,
  type ChannelFormFields,
} from "./channel-form";
import { ChannelFields } from "./channel-fields";
import type { ChannelRow } from "./channels-section";
import { issuesByPath, placeFieldErrors } from "./form-field";

function secretChange(fields: ChannelFormFields): ChannelSecretChange {
  if (fields.removeSecret) return { action: "remove" };
  return fields.secret.trim()
    ? { action: "replace", value: fields.secret.trim() }
    : { action: "keep" };
}

/** Add or edit a channel. Secrets are write-only: an edit leaves the field empty to keep one. */
export function ChannelDialog({
  open,
  onOpenChange,
  channel,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  channel?: ChannelRow;
}) {
  const [signingSecret, setSigningSecret] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setSigningSecret(null);
        onOpenChange(next);
      }}
    >
      <DialogContent className="max-w-xl">
        {open && signingSecret ? (
          <SigningSecretShownOnce secret={signingSecret} onDone={() => onOpenChange(false)} />
        ) : (
          open && (
            <ChannelForm
              channel={channel}
              onDone={(secret) => (secret ? setSigningSecret(secret) : onOpenChange(false))}
            />
          )
        )}
      </DialogContent>
    </Dialog>
  );
}

function SigningSecretShownOnce({ secret, onDone }: { secret: string; onDone: () => void }) {
  return (
    <>
      <DialogHeader>
        <DialogTitle>Copy the signing secret</DialogTitle>
        <DialogDescription>
          The receiver verifies each request&apos;s Skillrun-Signature with it. It is not shown
          again.
        </DialogDescription>
      </DialogHeader>
      <DialogBody>
        <Input readOnly value={secret} aria-label="Signing secret" className="font-mono" />
      </DialogBody>
      <DialogFooter>
        <Button type="button" onClick={onDone}>
          Done
        </Button>
      </DialogFooter>
    </>
  );
}

function ChannelForm({
  channel,
  onDone,
}: {
  channel?: ChannelRow;
  onDone: (signingSecret: string | null) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<ChannelFormFields>({
    defaultValues: channel ? fieldsOf(channel) : EMPTY_CHANNEL_FIELDS,
  });
  const create = useMutation(trpc.alerts.createChannel.mutationOptions());
  const update = useMutation(trpc.alerts.updateChannel.mutationOptions());
  const pending = create.isPending || update.isPending;

  const placeErrors = (errors: Record<string, string[] | undefined>) =>
    placeFieldErrors(form, errors, fieldOfPath);

  const save = form.handleSubmit(async (fields) => {
    const input = channel
      ? { channelId: channel.id, channel: channelOf(fields), secret: secretChange(fields) }
      : { channel: channelOf(fields), secret: fields.secret.trim() || undefined };
    const parsed = (channel ? updateChannelInput : createChannelInput).safeParse(input);
    if (!parsed.success) return placeErrors(issuesByPath(parsed.error));
    try {
      let secret: string | null = null;
      if (channel) await update.mutateAsync(updateChannelInput.parse(input));
      else secret = (await create.mutateAsync(createChannelInput.parse(input))).signingSecret;
      toast.success(channel ? "Channel saved" : `Channel “${fields.name.trim()}” added`);
      await queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
      onDone(secret);
    } catch (error) {
      const fieldErrors = fieldErrorsFrom(error);
      if (fieldErrors) placeErrors(fieldErrors);
      else toast.error(error instanceof Error ? error.message : "The channel could not be saved.");
    }
  });

  return (
    <FormDialogShell
      label={channel ? "Edit channel" : "New channel"}
      title={channel ? `Edit ${channel.name}` : "Add a channel"}
      description="Where alerts are sent. Passwords and URLs that carry a credential are stored encrypted and never shown again."
      onSubmit={save}
      serverError={form.formState.errors.root?.server?.message}
      serverErrorTitle="The channel cannot be saved"
      onCancel={() => onDone(null)}
      pending={pending}
      submitLabel={channel ? "Save" : "Add channel"}
    >
      <ChannelFields form={form} channel={channel} />
    </FormDialogShell>
  );
}
