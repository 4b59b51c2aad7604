import "server-only";
import nodemailer from "nodemailer";
import type { z } from "zod";
import type { emailChannelConfig } from "@/lib/schemas/alerts";
import type { OutboundPolicy } from "@/server/net/outbound-url";
import { markdownEmailHtml } from "./markdown";
import { ChannelSendError, SEND_TIMEOUT_MS, type Notice } from "./notice";
import { checkedSmtpAddress, notifyOutboundPolicy } from "./outbound";

export type EmailChannel = z.infer<typeof emailChannelConfig> & { password: string | null };

/** One message over SMTP with the tenant's server and account (nodemailer), to every recipient. */
export async function sendEmail(
  channel: EmailChannel,
  notice: Notice,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<void> {
  const address = await checkedSmtpAddress(
    channel.smtpHost,
    channel.smtpPort,
    channel.smtpSecurity === "none",
    policy,
  );
  const transport = nodemailer.createTransport({
    host: address,
    port: channel.smtpPort,
    secure: channel.smtpSecurity === "tls",
    requireTLS: channel.smtpSecurity === "starttls",
    ignoreTLS: channel.smtpSecurity === "none",
    // The certificate is checked against the name the admin typed, not the address we dialled.
    tls: { servername: channel.smtpHost },
    auth:
      channel.smtpUser && channel.password
        ? { user: channel.smtpUser, pass: channel.password }
        : undefined,
    connectionTimeout: SEND_TIMEOUT_MS,
    greetingTimeout: SEND_TIMEOUT_MS,
    socketTimeout: SEND_TIMEOUT_MS,
  });
  try {
    await transport.sendMail({
      from: channel.from,
      to: channel.recipients,
      subject: notice.subject,
      text: notice.text,
      ...(notice.textFormat === "markdown" ? { html: markdownEmailHtml(notice.text) } : {}),
      headers: { "X-Skillrun-Notice-Id": notice.id },
    });
  } catch (error) {
    const detail =
      error instanceof Error && "responseCode" in error && typeof error.responseCode === "number"
        ? `the server answered ${error.responseCode}`
        : error instanceof Error && "code" in error && typeof error.code === "string"
          ? error.code
          : "the connection failed";
    throw new ChannelSendError(
      `The SMTP server ${channel.smtpHost}:${channel.smtpPort} did not take the message (${detail}).`,
    );
  } finally {
    transport.close();
  }
}
