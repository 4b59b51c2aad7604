import "server-only";
import type { OutboundPolicy } from "@/server/net/outbound-url";
import { postToChannel } from "./http-post";
import type { Notice } from "./notice";
import { notifyOutboundPolicy } from "./outbound";

/** Slack's mrkdwn needs these three escaped; everything else is shown as written. */
const escapeMrkdwn = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** A message to a Slack incoming webhook (its URL is the credential, kept encrypted). */
export async function sendSlack(
  webhookUrl: string,
  notice: Notice,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<void> {
  const text = `*${escapeMrkdwn(notice.subject)}*\n${escapeMrkdwn(notice.text)}`;
  await postToChannel(
    webhookUrl,
    JSON.stringify({ text }),
    { "content-type": "application/json" },
    policy,
    "Slack",
  );
}
