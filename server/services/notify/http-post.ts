import "server-only";
import {
  outboundFetch,
  OutboundUrlRefusedError,
  type OutboundPolicy,
} from "@/server/net/outbound-url";
import { ChannelSendError, SEND_TIMEOUT_MS } from "./notice";

/**
 * POSTs a body to a channel's URL through the outbound check (redirects are not followed). A
 * non-2xx answer fails the attempt with its status only: the remote body is never echoed.
 */
export async function postToChannel(
  url: string,
  body: string,
  headers: Record<string, string>,
  policy: OutboundPolicy,
  what: string,
): Promise<void> {
  let response: Response;
  try {
    response = await outboundFetch(policy)(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
  } catch (error) {
    if (error instanceof OutboundUrlRefusedError) throw new ChannelSendError(error.message);
    const timedOut = error instanceof Error && error.name === "TimeoutError";
    throw new ChannelSendError(
      timedOut
        ? `${what} did not answer within ${SEND_TIMEOUT_MS / 1000} s.`
        : `${what} could not be reached.`,
    );
  }
  await response.body?.cancel();
  if (response.status < 200 || response.status > 299)
    throw new ChannelSendError(`${what} answered HTTP ${response.status}.`);
}
