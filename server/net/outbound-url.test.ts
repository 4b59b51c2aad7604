import http from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkOutboundUrl,
  outboundFetch,
  OutboundUrlRefusedError,
  refusedAddress,
  type OutboundPolicy,
  type ResolveHost,
} from "./outbound-url";

const strict: OutboundPolicy = { allowLoopback: false };
const local = { allowLoopback: true };
/** FC_SEED (and FC_PATH) from a failure report replay that failure. */
const replay = process.env.FC_SEED
  ? { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH }
  : {};

const PUBLIC = [
  "8.8.8.8",
  "1.1.1.1",
  "93.184.216.34",
  "11.0.0.1",
  "172.15.255.255",
  "172.32.0.0",
  "100.63.255.255",
  "100.128.0.0",
  "169.253.255.255",
  "192.167.255.255",
  "223.255.255.255",
  "2606:4700:4700::1111",
  "2a00:1450:4001:80b::200e",
];
const LOOPBACK = ["127.0.0.1", "127.255.255.254", "::1"];
const NEVER = [
  "0.0.0.0",
  "10.0.0.1",
  "10.255.255.255",
  "100.64.0.1",
  "100.127.255.255",
  "169.254.0.1",
  "169.254.169.254",
  "172.16.0.1",
  "172.31.255.255",
  "192.0.0.192",
  "192.0.2.1",
  "192.88.99.1",
  "192.168.0.1",
  "198.18.0.1",
  "198.19.255.255",
  "198.51.100.1",
  "203.0.113.1",
  "224.0.0.1",
  "239.255.255.250",
  "240.0.0.1",
  "255.255.255.255",
  "::",
  "::ffff:127.0.0.1",
  "::ffff:169.254.169.254",
  "::ffff:10.0.0.1",
  "::ffff:8.8.8.8",
  "64:ff9b::a9fe:a9fe",
  "100::1",
  "2001::1",
  "2001:db8::1",
  "2002:a00:1::1",
  "3fff::1",
  "fc00::1",
  "fd00:ec2::254",
  "fe80::1",
  "fe80::1%eth0",
  "ff02::1",
  "4000::1",
  "not-an-address",
  "",
];

describe("refusedAddress", () => {
  it.each(PUBLIC)("allows the public address %s", (address) => {
    expect(refusedAddress(address, strict)).toBeNull();
    expect(refusedAddress(address, local)).toBeNull();
  });
  it.each(LOOPBACK)("refuses loopback %s unless the policy allows this machine", (address) => {
    expect(refusedAddress(address, strict)).toBe("a loopback address");
    expect(refusedAddress(address, local)).toBeNull();
  });
  it.each(NEVER)("refuses %s, whatever the policy", (address) => {
    expect(refusedAddress(address, strict)).not.toBeNull();
    expect(refusedAddress(address, local)).not.toBeNull();
  });

  const octet = fc.integer({ min: 0, max: 255 });
  const ipv4 = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join("."));
  const inSubnet = (network: [number, number, number, number], prefix: number) =>
    fc.integer({ min: 0, max: 2 ** (32 - prefix) - 1 }).map((offset) => {
      const base = ((network[0] << 24) >>> 0) + (network[1] << 16) + (network[2] << 8) + network[3];
      const value = base + offset;
      return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
    });
  const hex16 = fc.integer({ min: 0, max: 0xffff }).map((group) => group.toString(16));
  const ipv6Under = (firstGroups: (value: number) => string) =>
    fc
      .tuple(fc.integer({ min: 0, max: 0xffff }), fc.array(hex16, { minLength: 7, maxLength: 7 }))
      .map(([first, rest]) => [firstGroups(first), ...rest].join(":"));

  it("refuses every address of the private, loopback, link-local and CGNAT ranges (property)", () => {
    const nonPublic = fc.oneof(
      inSubnet([10, 0, 0, 0], 8),
      inSubnet([127, 0, 0, 0], 8),
      inSubnet([169, 254, 0, 0], 16),
      inSubnet([172, 16, 0, 0], 12),
      inSubnet([192, 168, 0, 0], 16),
      inSubnet([100, 64, 0, 0], 10),
      inSubnet([0, 0, 0, 0], 8),
      inSubnet([224, 0, 0, 0], 3),
    );
    fc.assert(
      fc.property(nonPublic, (address) => refusedAddress(address, strict) !== null),
      replay,
    );
  });

  it("refuses the IPv4-mapped IPv6 form of every IPv4 address, public ones included (property)", () => {
    fc.assert(
      fc.property(ipv4, (address) => refusedAddress(`::ffff:${address}`, local) !== null),
      replay,
    );
  });

  it("refuses every unique-local, link-local, multicast and non-global-unicast IPv6 address (property)", () => {
    const nonPublic = fc.oneof(
      ipv6Under((value) => (0xfc00 | (value & 0x01ff)).toString(16)),
      ipv6Under((value) => (0xfe80 | (value & 0x003f)).toString(16)),
      ipv6Under((value) => (0xff00 | (value & 0x00ff)).toString(16)),
      ipv6Under((value) => (value & 0x1fff).toString(16)),
      ipv6Under((value) => (0x4000 + (value % 0xbc00)).toString(16)),
    );
    fc.assert(
      fc.property(nonPublic, (address) => refusedAddress(address, local) !== null),
      replay,
    );
  });
});

/** A resolver that answers from a table, as a DNS server under someone else's control might. */
const resolver =
  (table: Record<string, string[]>): ResolveHost =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses;
  };

async function refusal(url: string, policy = strict, resolve: ResolveHost = resolver({})) {
  return checkOutboundUrl(url, policy, resolve).then(
    () => null,
    (error: unknown) => {
      if (!(error instanceof OutboundUrlRefusedError)) throw error;
      return error.message;
    },
  );
}

describe("checkOutboundUrl", () => {
  const dns = resolver({
    "mcp.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "mixed.example.com": ["93.184.216.34", "10.0.0.7"],
    "metadata.example.com": ["169.254.169.254"],
    "rebind.example.com": ["fd00:ec2::254"],
    localhost: ["127.0.0.1", "::1"],
  });

  it("allows https to a host whose every address is public", async () => {
    expect(await refusal("https://mcp.example.com/mcp", strict, dns)).toBeNull();
    expect(await refusal("https://93.184.216.34:8443/mcp")).toBeNull();
    expect(await refusal("https://[2606:4700:4700::1111]/mcp")).toBeNull();
  });

  it("refuses other schemes, and plain http except to this machine when allowed", async () => {
    for (const url of [
      "ftp://mcp.example.com/",
      "file:///etc/passwd",
      "gopher://mcp.example.com/",
      "ws://mcp.example.com/",
    ])
      expect(await refusal(url, local, dns)).toMatch(/must use https/);
    expect(await refusal("http://mcp.example.com/mcp", local, dns)).toMatch(/must use https/);
    expect(await refusal("http://127.0.0.1:9000/mcp", strict)).toBe(
      "127.0.0.1 is a loopback address, which the server does not connect to.",
    );
    expect(await refusal("http://127.0.0.1:9000/mcp", local)).toBeNull();
    expect(await refusal("http://localhost:9000/mcp", local, dns)).toBeNull();
    expect(await refusal("https://localhost:9000/mcp", local, dns)).toBeNull();
    expect(await refusal("not a url")).toBe("The URL is not valid.");
  });

  it("refuses a host when any of its addresses is not public, naming the host, not the address", async () => {
    expect(await refusal("https://mixed.example.com/mcp", local, dns)).toBe(
      "mixed.example.com resolves to a private address, which the server does not connect to.",
    );
    expect(await refusal("https://metadata.example.com/latest", local, dns)).toMatch(
      /^metadata\.example\.com resolves to a link-local address/,
    );
    expect(await refusal("https://rebind.example.com/", local, dns)).toMatch(
      /^rebind\.example\.com resolves to a unique local address/,
    );
    expect(await refusal("https://unknown.example.com/", local, dns)).toBe(
      "unknown.example.com could not be resolved.",
    );
  });

  it("refuses Skillrun's own services on this machine even where this machine is allowed", async () => {
    const withOwn = { ...local, ownServices: [{ port: 8288, name: "Inngest engine" }] };
    expect(await refusal("http://127.0.0.1:8288/", withOwn)).toBe(
      "Port 8288 on 127.0.0.1 is Skillrun's own Inngest engine, which the server does not connect to.",
    );
    expect(await refusal("http://localhost:8288/mcp", withOwn, dns)).toMatch(/own Inngest engine/);
    expect(await refusal("http://127.0.0.1:9000/mcp", withOwn)).toBeNull();
    expect(await refusal("https://mcp.example.com:8288/mcp", withOwn, dns)).toBeNull();
    expect(
      await refusal("http://127.0.0.1/", {
        ...local,
        ownServices: [{ port: 80, name: "web app" }],
      }),
    ).toMatch(/own web app/);
  });

  it("sees through the spellings of an address a URL allows", async () => {
    for (const url of [
      "https://2130706433/",
      "https://0x7f.1/",
      "https://0177.0.0.1/",
      "https://127.1/",
      "https://mcp.example.com@127.0.0.1/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:a9fe:a9fe]/",
      "https://169.254.169.254./",
      "https://[fd00:ec2::254]/",
      "https://[0:0:0:0:0:0:0:1]/",
    ]) {
      expect({ url, refused: await refusal(url, strict, dns) }).toEqual({
        url,
        refused: expect.stringMatching(/which the server does not connect to/),
      });
    }
  });
});

describe("outboundFetch", () => {
  const received: string[] = [];
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      received.push(request.url ?? "");
      if (request.url === "/redirect") {
        response.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end();
        return;
      }
      response.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("reaches this machine only when the policy allows it", async () => {
    expect(await (await outboundFetch(local)(`http://127.0.0.1:${port}/allowed`)).text()).toBe(
      "ok",
    );
    expect(await (await outboundFetch(local)(`http://localhost:${port}/by-name`)).text()).toBe(
      "ok",
    );
    await expect(outboundFetch(strict)(`http://127.0.0.1:${port}/refused`)).rejects.toBeInstanceOf(
      OutboundUrlRefusedError,
    );
    expect(received).toEqual(["/allowed", "/by-name"]);
  });

  it("checks the address again when connecting: a name that resolved to a public address for the check and to loopback for the socket is refused (DNS rebinding)", async () => {
    received.length = 0;
    // The check's resolver says public; the socket's lookup (the system's) says 127.0.0.1.
    const rebinding = outboundFetch(strict, resolver({ localhost: ["93.184.216.34"] }));
    const failure = await rebinding(`https://localhost:${port}/rebound`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).cause).toBeInstanceOf(OutboundUrlRefusedError);
    // Plain http is held to loopback on the socket too, whatever the check was told.
    const toPublicOverHttp = outboundFetch(local, resolver({ localhost: ["127.0.0.1"] }));
    expect(await (await toPublicOverHttp(`http://localhost:${port}/loopback-http`)).text()).toBe(
      "ok",
    );
    expect(received).toEqual(["/loopback-http"]);
  });

  it("does not follow a redirect on its own", async () => {
    received.length = 0;
    const response = await outboundFetch(local)(`http://127.0.0.1:${port}/redirect`);
    expect(response.status).toBe(302);
    expect(received).toEqual(["/redirect"]);
  });
});
