"use client";

import { useWatch, type UseFormReturn } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import { CHANNEL_KINDS } from "@/lib/enums";
import { CHANNEL_KIND_LABELS, savedSecretText } from "./alert-labels";
import type { ChannelFormFields } from "./channel-form";
import type { ChannelRow } from "./channels-section";
import { FormField as Field } from "./form-field";

type Form = UseFormReturn<ChannelFormFields>;

function EmailFields({ form }: { form: Form }) {
  return (
    <>
      <Field
        form={form}
        name="recipients"
        label="Recipients"
        hint="Addresses, separated by commas."
      >
        {(props) => (
          <Input {...props} {...form.register("recipients")} placeholder="ops@example.com" />
        )}
      </Field>
      <div className="grid gap-3 sm:grid-cols-[1fr_7rem]">
        <Field form={form} name="smtpHost" label="SMTP host">
          {(props) => (
            <Input {...props} {...form.register("smtpHost")} placeholder="smtp.example.com" />
          )}
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
        {(props) => (
          <Input {...props} {...form.register("from")} placeholder="skillrun@example.com" />
        )}
      </Field>
    </>
  );
}

/** The channel form's fields for its kind; the secret is write-only. */
export function ChannelFields({ form, channel }: { form: Form; channel?: ChannelRow }) {
  const kind = useWatch({ control: form.control, name: "kind" });
  const removeSecret = useWatch({ control: form.control, name: "removeSecret" });
  const secretLabel = kind === "email" ? "SMTP password" : "Slack webhook URL";
  return (
    <>
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
          {(props) => (
            <Input
              {...props}
              {...form.register("url")}
              placeholder="https://example.com/hooks/skillrun"
            />
          )}
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
    </>
  );
}
