"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type ReactNode } from "react";
import { useForm, useWatch, type UseFormReturn } from "react-hook-form";
import { toast } from "sonner";
import { fieldErrorsFrom } from "@/components/providers/field-errors";
import { useTRPC } from "@/components/providers/trpc";
import { FormDialogFooter } from "@/components/shell/form-dialog-footer";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
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
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { CHANNEL_KINDS } from "@/lib/enums";
import { createChannelInput, updateChannelInput, type ChannelSecretChange } from "@/lib/schemas/alerts";
import { CHANNEL_KIND_LABELS, savedSecretText } from "./alert-labels";
import {
  channelOf,
  EMPTY_CHANNEL_FIELDS,
  fieldOfPath,
  fieldsOf,
  type ChannelFormFields,
} from "./channel-form";
import type { ChannelRow } from "./channels-section";

type Form = UseFormReturn<ChannelFormFields>;

function Field({
  form,
  name,
  label,
  hint,
  children,
}: {
  form: Form;
  name: keyof ChannelFormFields;
  label: string;
  hint?: ReactNode;
  children: (props: { id: string; "aria-invalid": boolean; "aria-describedby"?: string }) => ReactNode;
}) {
  const id = useId();
  const error = form.formState.errors[name]?.message;
  const describedBy = error || hint ? `${id}-note` : undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children({ id, "aria-invalid": Boolean(error), "aria-describedby": describedBy })}
      {(error || hint) && (
        <p id={describedBy} className={error ? "text-destructive text-sm" : "text-muted-foreground text-sm"}>
          {error ? `${label} ${error}` : hint}
        </p>
      )}
    </div>
  );
}

function secretChange(fields: ChannelFormFields): ChannelSecretChange {
  if (fields.removeSecret) return { action: "remove" };
  return fields.secret.trim() ? { action: "replace", value: fields.secret.trim() } : { action: "keep" };
}

function EmailFields({ form }: { form: Form }) {
  return (
    <>
      <Field form={form} name="recipients" label="Recipients" hint="Addresses, separated by commas.">
        {(props) => <Input {...props} {...form.register("recipients")} placeholder="ops@example.com" />}
      </Field>
      <div className="grid gap-3 sm:grid-cols-[1fr_7rem]">
        <Field form={form} name="smtpHost" label="SMTP host">
          {(props) => <Input {...props} {...form.register("smtpHost")} placeholder="smtp.example.com" />}
        </Field>
        <Field form={form} name="smtpPort" label="Port">
          {(props) => <Input {...props} inputMode="numeric" {...form.register("smtpPort")} />}
        </Field>
      </div>
      <Field form={form} name="smtpSecurity" label="Security">
        {(props) => (
          <Select {...props} {...form.register("smtpSecurity")}>
            <option value="starttls">STARTTLS (usually port 587)</option>
            <option value="tls">TLS (usually port 465)</option>
            <option value="none">None (only to this machine)</option>
          </Select>
        )}
      </Field>
      <Field form={form} name="smtpUser" label="SMTP user name" hint="Optional.">
        {(props) => <Input {...props} autoComplete="off" {...form.register("smtpUser")} />}
      </Field>
      <Field form={form} name="from" label="From address">
        {(props) => <Input {...props} {...form.register("from")} placeholder="skillrun@example.com" />}
      </Field>
    </>
  );
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
          The receiver verifies each request&apos;s Skillrun-Signature with it. It is not shown again.
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
  const kind = useWatch({ control: form.control, name: "kind" });
  const removeSecret = useWatch({ control: form.control, name: "removeSecret" });
  const create = useMutation(trpc.alerts.createChannel.mutationOptions());
  const update = useMutation(trpc.alerts.updateChannel.mutationOptions());
  const pending = create.isPending || update.isPending;

  const placeErrors = (errors: Record<string, string[] | undefined>) => {
    const rest: string[] = [];
    for (const [path, messages] of Object.entries(errors)) {
      const field = fieldOfPath(path);
      const message = (messages ?? []).join("; ");
      if (field) form.setError(field, { type: "server", message });
      else rest.push(message);
    }
    if (rest.length) form.setError("root.server", { type: "server", message: rest.join("; ") });
  };

  const save = form.handleSubmit(async (fields) => {
    const input = channel
      ? { channelId: channel.id, channel: channelOf(fields), secret: secretChange(fields) }
      : { channel: channelOf(fields), secret: fields.secret.trim() || undefined };
    const parsed = (channel ? updateChannelInput : createChannelInput).safeParse(input);
    if (!parsed.success) {
      const errors: Record<string, string[]> = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path.filter((part) => typeof part === "string").join(".");
        (errors[key] ??= []).push(issue.message);
      }
      return placeErrors(errors);
    }
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

  const secretLabel = kind === "email" ? "SMTP password" : "Slack webhook URL";
  return (
    <form onSubmit={save} noValidate>
      <DialogHeader>
        <DialogTitle>{channel ? `Edit ${channel.name}` : "Add a channel"}</DialogTitle>
        <DialogDescription>
          Where alerts are sent. Passwords and URLs that carry a credential are stored encrypted and
          never shown again.
        </DialogDescription>
      </DialogHeader>
      <DialogBody className="flex flex-col gap-4">
        <Field form={form} name="kind" label="Kind">
          {(props) => (
            <Select {...props} disabled={Boolean(channel)} {...form.register("kind")}>
              {CHANNEL_KINDS.map((value) => (
                <option key={value} value={value}>
                  {CHANNEL_KIND_LABELS[value]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field form={form} name="name" label="Name">
          {(props) => <Input {...props} {...form.register("name")} placeholder="On-call" />}
        </Field>
        {kind === "email" && <EmailFields form={form} />}
        {kind === "webhook" && (
          <Field
            form={form}
            name="url"
            label="URL"
            hint="Requests are POSTed as JSON and signed like Skillrun's inbound webhooks (docs/ALERTS.md)."
          >
            {(props) => <Input {...props} {...form.register("url")} placeholder="https://example.com/hooks/skillrun" />}
          </Field>
        )}
        {kind !== "webhook" && (
          <Field
            form={form}
            name="secret"
            label={secretLabel}
            hint={
              channel?.hasSecret
                ? `${savedSecretText(channel.secretHint)}: leave empty to keep it.`
                : kind === "email"
                  ? "Optional; stored encrypted."
                  : "https://hooks.slack.com/services/…; stored encrypted."
            }
          >
            {(props) => (
              <Input
                {...props}
                type="password"
                autoComplete="new-password"
                spellCheck={false}
                disabled={removeSecret}
                {...form.register("secret")}
              />
            )}
          </Field>
        )}
        {kind === "email" && channel?.hasSecret && (
          <label className="flex items-center gap-2 text-sm">
            <Checkbox {...form.register("removeSecret")} />
            Remove the saved password
          </label>
        )}
        {form.formState.errors.root?.server && (
          <Alert variant="destructive">
            <AlertTitle>The channel cannot be saved</AlertTitle>
            <AlertDescription>{form.formState.errors.root.server.message}</AlertDescription>
          </Alert>
        )}
      </DialogBody>
      <FormDialogFooter
        onCancel={() => onDone(null)}
        pending={pending}
        submitLabel={channel ? "Save" : "Add channel"}
      />
    </form>
  );
}
