import dns from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";
import { Agent } from "undici";

/**
 * The one check for URLs the server connects to on a tenant's behalf (MCP servers now; alert
 * and callback URLs later): https to a public address only. Without it, whoever can set such a
 * URL can make the server call its own network (the engine, the database, a cloud metadata
 * service) and read the answer back through whatever the feature shows.
 */
export type OutboundPolicy = {
  /** Also allow this machine (127.0.0.0/8, ::1), over http too: for local development and tests. */
  allowLoopback: boolean;
  /**
   * Ports of Skillrun's own services on this machine (the app, the engine, the database): refused
   * on loopback even where loopback is allowed, since answering for them is their whole danger.
   */
  ownServices?: { port: number; name: string }[];
};

export class OutboundUrlRefusedError extends Error {
  readonly code = "outbound_url_refused";
}

type Range = { label: string; network: string; prefix: number };

/** IPv4 addresses that are not public (IANA special-purpose registry, plus multicast and reserved). */
const NON_PUBLIC_IPV4: Range[] = [
  { label: "a 'this network' address", network: "0.0.0.0", prefix: 8 },
  { label: "a private address", network: "10.0.0.0", prefix: 8 },
  { label: "a shared (carrier-grade NAT) address", network: "100.64.0.0", prefix: 10 },
  { label: "a loopback address", network: "127.0.0.0", prefix: 8 },
  { label: "a link-local address (cloud metadata lives here)", network: "169.254.0.0", prefix: 16 },
  { label: "a private address", network: "172.16.0.0", prefix: 12 },
  { label: "an IETF protocol address", network: "192.0.0.0", prefix: 24 },
  { label: "a documentation address", network: "192.0.2.0", prefix: 24 },
  { label: "a 6to4 relay address", network: "192.88.99.0", prefix: 24 },
  { label: "a private address", network: "192.168.0.0", prefix: 16 },
  { label: "a benchmarking address", network: "198.18.0.0", prefix: 15 },
  { label: "a documentation address", network: "198.51.100.0", prefix: 24 },
  { label: "a documentation address", network: "203.0.113.0", prefix: 24 },
  { label: "a multicast address", network: "224.0.0.0", prefix: 4 },
  { label: "a reserved or broadcast address", network: "240.0.0.0", prefix: 4 },
];

/**
 * IPv6: only global unicast (2000::/3) can be public, minus the special ranges inside it. The
 * rest are listed for a clear message; anything else outside 2000::/3 is refused as well.
 */
const NON_PUBLIC_IPV6: Range[] = [
  { label: "a loopback address", network: "::1", prefix: 128 },
  { label: "the unspecified address", network: "::", prefix: 128 },
  { label: "an IPv4-mapped address", network: "::ffff:0:0", prefix: 96 },
  { label: "a NAT64 address", network: "64:ff9b::", prefix: 96 },
  { label: "a NAT64 address", network: "64:ff9b:1::", prefix: 48 },
  { label: "a discard address", network: "100::", prefix: 64 },
  { label: "an IETF protocol address (Teredo among them)", network: "2001::", prefix: 23 },
  { label: "a documentation address", network: "2001:db8::", prefix: 32 },
  { label: "a 6to4 address", network: "2002::", prefix: 16 },
  { label: "a documentation address", network: "3fff::", prefix: 20 },
  {
    label: "a unique local address (cloud metadata such as fd00:ec2::254 lives here)",
    network: "fc00::",
    prefix: 7,
  },
  { label: "a link-local address", network: "fe80::", prefix: 10 },
  { label: "a multicast address", network: "ff00::", prefix: 8 },
];

function rangeList(ranges: Range[], family: "ipv4" | "ipv6") {
  return ranges.map(({ label, network, prefix }) => {
    const list = new BlockList();
    list.addSubnet(network, prefix, family);
    return { label, list };
  });
}
const ipv4Ranges = rangeList(NON_PUBLIC_IPV4, "ipv4");
const ipv6Ranges = rangeList(NON_PUBLIC_IPV6, "ipv6");
const globalUnicastIpv6 = new BlockList();
globalUnicastIpv6.addSubnet("2000::", 3, "ipv6");
const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
// Its own list: an IPv4 rule would also match IPv4-mapped IPv6 addresses.
const loopbackIpv6 = new BlockList();
loopbackIpv6.addAddress("::1", "ipv6");

/** Whether the server may connect to `address` under `policy`: null if so, else what kind of address it is. */
export function refusedAddress(address: string, policy: OutboundPolicy): string | null {
  const family = isIP(address);
  // A scoped address (fe80::1%eth0) names an interface of this machine.
  if (family === 0 || address.includes("%")) return "not a plain IP address";
  if (
    policy.allowLoopback &&
    (family === 4 ? loopback.check(address, "ipv4") : loopbackIpv6.check(address, "ipv6"))
  )
    return null;
  const ranges = family === 4 ? ipv4Ranges : ipv6Ranges;
  const match = ranges.find(({ list }) => list.check(address, family === 4 ? "ipv4" : "ipv6"));
  if (match) return match.label;
  if (family === 6 && !globalUnicastIpv6.check(address, "ipv6"))
    return "not a global unicast address";
  return null;
}

export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family === 4
    ? loopback.check(address, "ipv4")
    : family === 6 && !address.includes("%") && loopbackIpv6.check(address, "ipv6");
}

export type ResolveHost = (hostname: string) => Promise<string[]>;
const resolveWithSystem: ResolveHost = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map(
    (entry) => entry.address,
  );

/**
 * The URL, if the server may call it: http(s) only, https unless every address is loopback and
 * the policy allows loopback, and every address the host resolves to allowed (one private
 * address among public ones is enough to refuse). Messages name the host, never its addresses.
 */
export async function checkOutboundUrl(
  raw: string | URL,
  policy: OutboundPolicy,
  resolve: ResolveHost = resolveWithSystem,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlRefusedError("The URL is not valid.");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new OutboundUrlRefusedError(
      `The URL must use https, not ${url.protocol.replace(/:$/, "")}.`,
    );
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new OutboundUrlRefusedError(`${host} could not be resolved.`);
    }
  }
  if (addresses.length === 0) throw new OutboundUrlRefusedError(`${host} could not be resolved.`);
  for (const address of addresses) {
    const refusal = refusedAddress(address, policy);
    if (refusal)
      throw new OutboundUrlRefusedError(
        `${host} ${isIP(host) ? "is" : "resolves to"} ${refusal}, which the server does not connect to.`,
      );
  }
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const ownService = policy.ownServices?.find((service) => service.port === port);
  if (ownService && addresses.some(isLoopbackAddress))
    throw new OutboundUrlRefusedError(
      `Port ${port} on ${host} is Skillrun's own ${ownService.name}, which the server does not connect to.`,
    );
  if (url.protocol === "http:" && !(policy.allowLoopback && addresses.every(isLoopbackAddress))) {
    throw new OutboundUrlRefusedError(
      "The URL must use https (plain http only to this machine, where allowed).",
    );
  }
  return url;
}

/**
 * A DNS lookup for sockets that refuses what checkOutboundUrl refuses, at the moment of
 * connecting: a host that resolved to a public address for the check cannot answer with a
 * private one for the connection (DNS rebinding). `allow` narrows it further.
 */
function guardedLookup(
  policy: OutboundPolicy,
  allow: (address: string) => boolean = () => true,
): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, entries) => {
      if (error) return callback(error, "");
      if (
        entries.length === 0 ||
        entries.some(
          (entry) => refusedAddress(entry.address, policy) !== null || !allow(entry.address),
        )
      ) {
        return callback(
          new OutboundUrlRefusedError(
            `${hostname} resolved to an address the server does not connect to.`,
          ),
          "",
        );
      }
      if (options.all) return callback(null, entries);
      callback(null, entries[0]!.address, entries[0]!.family);
    });
  };
}

const agents = new Map<string, Agent>();
/** Connections for one policy and scheme; plain http may only ever reach loopback. */
function agentFor(policy: OutboundPolicy, protocol: string) {
  const key = `${policy.allowLoopback}:${protocol}`;
  // (Own services are checked per request in checkOutboundUrl: a socket's DNS answer carries no port.)
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      connect: {
        lookup: guardedLookup(policy, protocol === "http:" ? isLoopbackAddress : undefined),
      },
    });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * `fetch` for URLs a tenant configured: every request is checked as above, every connection's
 * DNS answer again, and redirects are never followed by fetch itself (a caller that follows one
 * comes back through here with the new URL).
 */
export function outboundFetch(policy: OutboundPolicy, resolve?: ResolveHost) {
  return async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = await checkOutboundUrl(input, policy, resolve);
    // Node's fetch takes undici's `dispatcher`; the DOM typings of RequestInit do not list it.
    const guarded: RequestInit & { dispatcher: Agent } = {
      ...init,
      redirect: "manual",
      dispatcher: agentFor(policy, url.protocol),
    };
    return fetch(url, guarded);
  };
}
