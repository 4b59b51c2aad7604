import "server-only";
import type { WebhookDeliveryVerdict } from "@/server/db/schema/enums";

/** Whether Replay can start a run from a logged delivery, or why it cannot. */
export type Replayability = { replayable: true } | { replayable: false; reason: string };

/** Why there is nothing to replay: a delivery refused before its payload was read or trusted keeps none. */
const NOT_KEPT: Partial<Record<WebhookDeliveryVerdict, string>> = {
  bad_signature:
    "Not replayable: the signature did not verify, so the payload was not kept. The sender must send it again, signed with the current secret.",
  stale_timestamp:
    "Not replayable: the signature's timestamp was stale, so the payload was not kept. The sender must sign each delivery when it sends it.",
  malformed: "Not replayable: the request was malformed, so no payload was kept.",
  too_large: "Not replayable: the body was over the size limit, so it was not kept.",
  unsupported_media_type: "Not replayable: the body was not JSON, so it was not kept.",
  rate_limited:
    "Not replayable: the delivery was refused by the rate limit before it was read. The sender retries it.",
  not_found: "Not replayable: the webhook was unknown or disabled when it arrived.",
};

const lowerFirst = (text: string) =>
  /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;

/**
 * Replay runs a logged payload through the webhook's current mapping and skill. Per verdict:
 * no payload kept means nothing to replay; a payload whose inputs did not fit fails the same way
 * unless the webhook or its skill changed since it arrived (same payload, same mapping, same
 * schema: same refusal); a skill that is gone fails whatever the payload; anything else can run.
 */
export function replayabilityOf(
  delivery: {
    verdict: WebhookDeliveryVerdict;
    hasPayload: boolean;
    receivedAt: Date;
    error: string | null;
  },
  now: {
    /** When the webhook (its mapping) or its skill (its inputs schema) last changed. */
    configChangedAt: Date;
    /** The webhook's skill can start runs in the tenant. */
    skillAvailable: boolean;
  },
): Replayability {
  if (!delivery.hasPayload)
    return {
      replayable: false,
      reason: NOT_KEPT[delivery.verdict] ?? "Not replayable: no payload was kept for it.",
    };
  if (!now.skillAvailable)
    return {
      replayable: false,
      reason: `Replay would fail${delivery.verdict === "failed" ? " the same way" : ""}: the webhook's skill is no longer available in this tenant.`,
    };
  const changedSince = now.configChangedAt.getTime() > delivery.receivedAt.getTime();
  if (delivery.verdict === "inputs_invalid" && !changedSince)
    return {
      replayable: false,
      reason: `Replay would fail the same way: ${lowerFirst(delivery.error ?? "the payload does not map to valid inputs").replace(/\.$/, "")}. Fix the mapping (Edit) or have the sender fix the payload.`,
    };
  return { replayable: true };
}
