import "server-only";
import dns from "node:dns";
import { isIP } from "node:net";
import { mcpOutboundPolicy } from "@/server/agent/mcp";
import {
  checkOutboundUrl,
  isLoopbackAddress,
  OutboundUrlRefusedError,
  type OutboundPolicy,
} from "@/server/net/outbound-url";

/**
 * Channels reach out under the same policy as MCP servers (`server/net/outbound-url.ts`): public
 * addresses only, loopback only where `SKILLRUN_ALLOW_LOCAL_MCP` allows it for local work and
 * tests, and never the app's own services.
 */
export const notifyOutboundPolicy = (): OutboundPolicy => mcpOutboundPolicy();

/** Why a channel's URL may not be called (null if it may): checked at save and again at send. */
export async function refusedChannelUrl(
  raw: string,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<string | null> {
  if (URL.canParse(raw)) {
    const url = new URL(raw);
    if (url.username || url.password) return "The URL must not hold a user name or password.";
  }
  try {
    await checkOutboundUrl(raw, policy);
    return null;
  } catch (error) {
    if (error instanceof OutboundUrlRefusedError) return error.message;
    throw error;
  }
}

/**
 * The address to open an SMTP connection to, after the same check a URL gets: the host is
 * resolved once, every address it has must be allowed, and the connection goes to the checked
 * address (so a second DNS answer cannot point it elsewhere). Plain SMTP only to loopback.
 */
export async function checkedSmtpAddress(
  host: string,
  port: number,
  plaintext: boolean,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<string> {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  let addresses: string[];
  if (isIP(bare)) addresses = [bare];
  else {
    try {
      addresses = (await dns.promises.lookup(bare, { all: true, verbatim: true })).map(
        (entry) => entry.address,
      );
    } catch {
      throw new OutboundUrlRefusedError(`${bare} could not be resolved.`);
    }
  }
  const first = addresses[0];
  if (first === undefined) throw new OutboundUrlRefusedError(`${bare} could not be resolved.`);
  const shown = isIP(bare) === 6 ? `[${bare}]` : bare;
  await checkOutboundUrl(`https://${shown}:${port}/`, policy, async () => addresses);
  if (plaintext && !addresses.every(isLoopbackAddress))
    throw new OutboundUrlRefusedError(
      "SMTP without TLS is allowed only to this machine: choose TLS or STARTTLS.",
    );
  return first;
}

/** The refusal's message for a save, or null when the SMTP host may be used. */
export async function refusedSmtpHost(
  host: string,
  port: number,
  plaintext: boolean,
  policy: OutboundPolicy = notifyOutboundPolicy(),
): Promise<string | null> {
  try {
    await checkedSmtpAddress(host, port, plaintext, policy);
    return null;
  } catch (error) {
    if (error instanceof OutboundUrlRefusedError) return error.message;
    throw error;
  }
}
