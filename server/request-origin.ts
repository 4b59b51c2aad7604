import { BlockList, isIP } from "node:net";
import { env } from "@/server/env";

const blockListsByConfig = new Map<string, BlockList>();

/** The configured proxies as a matcher; entries are validated in `server/env.ts`. */
function proxiesMatcher(trustedProxies: readonly string[]): BlockList {
  const config = trustedProxies.join(",");
  let list = blockListsByConfig.get(config);
  if (!list) {
    list = new BlockList();
    for (const entry of trustedProxies) {
      const [address = "", prefix] = entry.split("/");
      const family = isIP(address) === 6 ? "ipv6" : "ipv4";
      if (prefix === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(prefix), family);
    }
    blockListsByConfig.set(config, list);
  }
  return list;
}

/**
 * The client address of a request, or null when it cannot be trusted. The same rule keys the
 * sign-in limit (better-auth's `advanced.ipAddress`, set from the same list in
 * `server/auth/config.ts`) and fills the audit log's `origin`.
 *
 * Only with `SKILLRUN_TRUSTED_PROXIES` set is `X-Forwarded-For` read: its hops are walked from the
 * right (the one the nearest proxy appended), the configured proxies are skipped, and the first
 * other address is the client; an unparsable hop gives null. Without it there is no address:
 * a Next.js route handler cannot see the socket, and Next keeps a client-sent
 * `X-Forwarded-For` (it fills the header from the socket only when absent), so the header is
 * whatever the caller wants it to be.
 */
export function requestOrigin(
  headers: Headers | null | undefined,
  trustedProxies: readonly string[] = env.SKILLRUN_TRUSTED_PROXIES,
): string | null {
  if (!headers || trustedProxies.length === 0) return null;
  const hops = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  const proxies = proxiesMatcher(trustedProxies);
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    const family = isIP(hop);
    if (family === 0) return null;
    if (!proxies.check(hop, family === 6 ? "ipv6" : "ipv4")) return hop;
  }
  return null;
}
