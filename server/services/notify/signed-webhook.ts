import "server-only";
import type { OutboundPolicy } from "@/server/net/outbound-url";
import {
  DELIVERY_ID_HEADER,
  SIGNATURE_HEADER,
  signWebhookBody,
} from "@/server/services/webhooks/webhook-signature";
import { postToChannel } from "./http-post";
import type { Notice } from "./notice";
import { notifyOutboundPolicy } from "./outbound";

/** The JSON a signed webhook receives (documented in docs/ALERTS.md). */
export function signedWebhookBody(notice: Notice, sentAt: Date): string {
  return JSON.stringify({
    id: notice.id,
    type: notice.type,
    sentAt: sentAt.toISOString(),
    subject: notice.subject,
    text: notice.text,
    data: notice.facts,
  });
}

/**
 * POSTs the notice as JSON, signed as Skillrun's inbound webhooks are verified:
 * `Skillrun-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, with the
 * notice's id as `Skillrun-Delivery-Id` (the same on every retry, so a receiver can deduplicate).
 */
export async function sendSignedWebhook(
  target: { url: string; signingSecret: string },
  notice: Notice,
  policy: OutboundPolicy = notifyOutboundPolicy(),
  now: Date = new Date(),
): Promise<void> {
  const body = signedWebhookBody(notice, now);
  await postToChannel(
    target.url,
    body,
    {
      "content-type": "application/json",
      [SIGNATURE_HEADER]: signWebhookBody(
        target.signingSecret,
        body,
        Math.floor(now.getTime() / 1000),
      ),
      [DELIVERY_ID_HEADER]: notice.id,
    },
    policy,
    `The webhook at ${new URL(target.url).host}`,
  );
}
