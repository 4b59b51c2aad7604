import "server-only";
import type { OutboundPolicy } from "@/server/net/outbound-url";
import { postToChannel } from "./http-post";
import { escapeMrkdwn, markdownToMrkdwn } from "./markdown";
import type { Notice } from "./notice";
import { notifyOutboundPolicy } from "./outbound";

/** A message to a Slack incoming webhook (its URL is the credential, kept encrypted). */
export async function sendSlack(
  webhookUrl: string,
  notice: Notice,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<void> {
  const body =
    notice.textFormat === "markdown" ? markdownToMrkdwn(notice.text) : escapeMrkdwn(notice.text);
  const text = `*${escapeMrkdwn(notice.subject)}*\n${body}`;
  await postToChannel(
    webhookUrl,
    JSON.stringify({ text }),
    { "content-type": "application/json" },
    policy,
    "Slack",
  );
}
