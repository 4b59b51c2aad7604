import { describe, expect, it } from "vitest";
import { requestOrigin } from "./request-origin";

const forwarded = (value: string) => new Headers({ "x-forwarded-for": value });

describe("requestOrigin", () => {
  it("believes no X-Forwarded-For without trusted proxies: a Next route handler cannot tell it from a forgery", () => {
    expect(requestOrigin(forwarded("203.0.113.9"), [])).toBeNull();
    expect(requestOrigin(new Headers({ "x-real-ip": "203.0.113.9" }), [])).toBeNull();
  });

  it("walks the hops from the right past the trusted proxies, ignoring whatever the client wrote to the left", () => {
    const proxies = ["10.0.0.0/8", "192.0.2.10"];
    expect(requestOrigin(forwarded("203.0.113.9"), proxies)).toBe("203.0.113.9");
    expect(requestOrigin(forwarded("6.6.6.6, 203.0.113.9, 192.0.2.10, 10.1.2.3"), proxies)).toBe(
      "203.0.113.9",
    );
    expect(requestOrigin(forwarded("2001:db8::7,10.1.2.3"), proxies)).toBe("2001:db8::7");
    // Next fills the header from an IPv6 socket as an IPv4-mapped address: still the proxy.
    expect(requestOrigin(forwarded("203.0.113.9, ::ffff:10.1.2.3"), proxies)).toBe("203.0.113.9");
    expect(requestOrigin(forwarded("203.0.113.9, fd00::1"), ["fd00::/8"])).toBe("203.0.113.9");
  });

  it("gives no address when the chain cannot be read: no header, only proxies, or a hop that is not an address", () => {
    const proxies = ["10.0.0.0/8"];
    expect(requestOrigin(new Headers(), proxies)).toBeNull();
    expect(requestOrigin(forwarded("10.0.0.1, 10.0.0.2"), proxies)).toBeNull();
    expect(requestOrigin(forwarded("203.0.113.9, unknown, 10.0.0.2"), proxies)).toBeNull();
    expect(requestOrigin(forwarded(`${"9".repeat(500)}, 10.0.0.2`), proxies)).toBeNull();
    expect(requestOrigin(null, proxies)).toBeNull();
  });

  it("defaults to SKILLRUN_TRUSTED_PROXIES (the test suite's proxies on 127.0.0.1 and 10/8)", () => {
    expect(requestOrigin(forwarded("198.51.100.4, 10.0.0.1, 127.0.0.1"))).toBe("198.51.100.4");
  });
});
