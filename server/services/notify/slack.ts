import "server-only";
import type { OutboundPolicy } from "@/server/net/outbound-url";
import { postToChannel } from "./http-post";
import { escapeMrkdwn, markdownToMrkdwn } from "./markdown";
import type { Notice } from "./notice";
import { notifyOutboundPolicy } from "./outbound";

/**
 * The longest message text we send: Slack truncates a text past 40,000 characters (and may refuse
 * it), so ours stays under with room to spare. Counted in UTF-16 units, never fewer than Slack's.
 */
export const SLACK_TEXT_LIMIT = 39_000;

/** How far back from the limit a cut looks for a line's end, so no link or entity is split. */
const LINE_SEARCH = 2_000;

/**
 * A message's text: the subject in bold, then the body as mrkdwn. A body over SLACK_TEXT_LIMIT is
 * cut at a line's end and ends with "… (truncated) — full result: <link>" (the run's page, when
 * the app's URL is configured); a code block left open by the cut is closed.
 */
export function slackText(notice: Notice): string {
  const body =
    notice.textFormat === "markdown" ? markdownToMrkdwn(notice.text) : escapeMrkdwn(notice.text);
  const head = `*${escapeMrkdwn(notice.subject)}*\n`;
  if (head.length + body.length <= SLACK_TEXT_LIMIT) return head + body;
  const tail = notice.link
    ? `\n… (truncated) — full result: <${notice.link}|the run>`
    : "\n… (truncated)";
  const room = SLACK_TEXT_LIMIT - head.length - tail.length - "\n```".length;
  const lineEnd = body.lastIndexOf("\n", room);
  let cut = lineEnd > room - LINE_SEARCH ? lineEnd : room;
  // Never half a surrogate pair.
  if (/[\uD800-\uDBFF]/.test(body.charAt(cut - 1))) cut -= 1;
  const kept = body.slice(0, cut);
  const openFence = (kept.match(/```/g)?.length ?? 0) % 2 === 1 ? "\n```" : "";
  return head + kept + openFence + tail;
}

/** A message to a Slack incoming webhook (its URL is the credential, kept encrypted). */
export async function sendSlack(
  webhookUrl: string,
  notice: Notice,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<void> {
  const text = slackText(notice);
  await postToChannel(
    webhookUrl,
    JSON.stringify({ text }),
    { "content-type": "application/json" },
    policy,
    "Slack",
  );
}
