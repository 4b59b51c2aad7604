import "server-only";
import { ServiceError } from "@/server/services/errors";

/**
 * What a channel sends: a subject line, a plain-text body, and the facts as data (a signed
 * webhook's JSON; email and Slack show the text). Alerts build these now; delivering a run's
 * deliverable (issue 20, item 5) builds its own and uses the same senders.
 */
export type Notice = {
  /** Stable per notice: a signed webhook's `Skillrun-Delivery-Id`, so a receiver can deduplicate retries. */
  id: string;
  /** The notice's type in a webhook body, e.g. `alert.run_failed` or `alert.test`. */
  type: string;
  subject: string;
  text: string;
  /**
   * `markdown`: the text is a run's deliverable, sent rendered (HTML email, Slack mrkdwn);
   * otherwise plain text, sent as it is.
   */
  textFormat?: "plain" | "markdown";
  facts: Record<string, unknown>;
  /** Where the whole of it can be read (a run's page): named where a channel cuts the text. */
  link?: string | null;
};

/** A send that did not reach its channel; the message names the channel's side, never a secret. */
export class ChannelSendError extends ServiceError {
  readonly kind = "unavailable";
  readonly code = "channel_send_failed";
}

/** How long one attempt may take before it counts as failed. */
export const SEND_TIMEOUT_MS = 10_000;
