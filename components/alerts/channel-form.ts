import type { ChannelKind } from "@/lib/enums";
import type { ChannelInput } from "@/lib/schemas/alerts";

/** The channel dialog's fields, flat and as text; `channelOf` turns them into the schema's shape. */
export type ChannelFormFields = {
  kind: ChannelKind;
  name: string;
  recipients: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: "tls" | "starttls" | "none";
  smtpUser: string;
  from: string;
  url: string;
  secret: string;
  removeSecret: boolean;
};

export const EMPTY_CHANNEL_FIELDS: ChannelFormFields = {
  kind: "email",
  name: "",
  recipients: "",
  smtpHost: "",
  smtpPort: "587",
  smtpSecurity: "starttls",
  smtpUser: "",
  from: "",
  url: "",
  secret: "",
  removeSecret: false,
};

export function channelOf(fields: ChannelFormFields): ChannelInput {
  const name = fields.name;
  if (fields.kind === "slack") return { kind: "slack", name, config: {} };
  if (fields.kind === "webhook") return { kind: "webhook", name, config: { url: fields.url } };
  return {
    kind: "email",
    name,
    config: {
      recipients: fields.recipients
        .split(/[,\s]+/)
        .map((address) => address.trim())
        .filter(Boolean),
      smtpHost: fields.smtpHost.trim(),
      smtpPort: Number(fields.smtpPort),
      smtpSecurity: fields.smtpSecurity,
      smtpUser: fields.smtpUser.trim() || undefined,
      from: fields.from.trim(),
    },
  };
}

/** A saved channel back into the dialog's fields (its secret stays on the server). */
export function fieldsOf(channel: {
  kind: ChannelKind;
  name: string;
  config: Record<string, unknown>;
}): ChannelFormFields {
  const text = (key: string) => {
    const value = channel.config[key];
    return typeof value === "string" || typeof value === "number" ? String(value) : "";
  };
  const recipients = channel.config.recipients;
  const security = channel.config.smtpSecurity;
  return {
    ...EMPTY_CHANNEL_FIELDS,
    kind: channel.kind,
    name: channel.name,
    recipients: Array.isArray(recipients) ? recipients.join(", ") : "",
    smtpHost: text("smtpHost"),
    smtpPort: text("smtpPort") || EMPTY_CHANNEL_FIELDS.smtpPort,
    smtpSecurity:
      security === "tls" || security === "none" || security === "starttls" ? security : "starttls",
    smtpUser: text("smtpUser"),
    from: text("from"),
    url: text("url"),
  };
}

/** Which form field shows a schema or server error at `path` (e.g. `config.smtpHost`). */
export function fieldOfPath(path: string): keyof ChannelFormFields | null {
  const last = path
    .split(".")
    .filter((part) => !/^\d+$/.test(part))
    .at(-1);
  const known: (keyof ChannelFormFields)[] = [
    "name",
    "recipients",
    "smtpHost",
    "smtpPort",
    "smtpUser",
    "from",
    "url",
    "secret",
  ];
  return known.find((field) => field === last) ?? null;
}
