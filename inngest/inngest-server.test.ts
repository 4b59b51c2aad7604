import { describe, expect, it } from "vitest";
import { inngestServerOf, type InngestSettings } from "./inngest-server";

const SIGNING_KEY = `signkey-prod-${"ab".repeat(32)}`;
const EVENT_KEY = "event-key";

describe("inngestServerOf: which Inngest server each combination of variables means", () => {
  const cases: { settings: InngestSettings; expected: ReturnType<typeof inngestServerOf> }[] = [
    { settings: {}, expected: { kind: "embedded" } },
    { settings: { INNGEST_DEV: "" }, expected: { kind: "embedded" } },
    { settings: { INNGEST_DEV: "0" }, expected: { kind: "embedded" } },
    { settings: { INNGEST_DEV: " false " }, expected: { kind: "embedded" } },
    // Inngest Cloud as Inngest documents it: the two keys, no URL.
    {
      settings: { INNGEST_SIGNING_KEY: SIGNING_KEY, INNGEST_EVENT_KEY: EVENT_KEY },
      expected: { kind: "cloud" },
    },
    {
      settings: {
        INNGEST_DEV: "0",
        INNGEST_SIGNING_KEY: SIGNING_KEY,
        INNGEST_EVENT_KEY: EVENT_KEY,
      },
      expected: { kind: "cloud" },
    },
    {
      settings: {
        INNGEST_BASE_URL: "http://inngest.internal:8288",
        INNGEST_SIGNING_KEY: SIGNING_KEY,
        INNGEST_EVENT_KEY: EVENT_KEY,
      },
      expected: { kind: "self_hosted", baseUrl: "http://inngest.internal:8288" },
    },
    { settings: { INNGEST_DEV: "1" }, expected: { kind: "dev", baseUrl: "http://localhost:8288" } },
    {
      settings: { INNGEST_DEV: "TRUE" },
      expected: { kind: "dev", baseUrl: "http://localhost:8288" },
    },
    {
      settings: { INNGEST_DEV: "http://127.0.0.1:9000/" },
      expected: { kind: "dev", baseUrl: "http://127.0.0.1:9000" },
    },
    {
      settings: { INNGEST_DEV: "localhost:9001" },
      expected: { kind: "dev", baseUrl: "http://localhost:9001" },
    },
    // INNGEST_DEV wins over keys, as in the SDK; INNGEST_BASE_URL still names the server.
    {
      settings: {
        INNGEST_DEV: "1",
        INNGEST_BASE_URL: "http://dev.internal:8288",
        INNGEST_SIGNING_KEY: SIGNING_KEY,
        INNGEST_EVENT_KEY: EVENT_KEY,
      },
      expected: { kind: "dev", baseUrl: "http://dev.internal:8288" },
    },
  ];
  it.each(cases)("$settings → $expected.kind", ({ settings, expected }) => {
    expect(inngestServerOf(settings)).toEqual(expected);
  });

  const misconfigured: { settings: InngestSettings; mentions: RegExp }[] = [
    {
      settings: { INNGEST_BASE_URL: "http://inngest.internal:8288" },
      mentions: /INNGEST_BASE_URL/,
    },
    {
      settings: { INNGEST_BASE_URL: "http://inngest.internal:8288", INNGEST_EVENT_KEY: EVENT_KEY },
      mentions: /INNGEST_SIGNING_KEY/,
    },
    {
      settings: { INNGEST_SIGNING_KEY: SIGNING_KEY },
      mentions: /INNGEST_SIGNING_KEY is set without INNGEST_EVENT_KEY/,
    },
    {
      settings: { INNGEST_EVENT_KEY: EVENT_KEY },
      mentions: /INNGEST_EVENT_KEY is set without INNGEST_SIGNING_KEY/,
    },
  ];
  it.each(misconfigured)("$settings is refused with a reason", ({ settings, mentions }) => {
    const server = inngestServerOf(settings);
    expect(server.kind).toBe("misconfigured");
    expect(server.kind === "misconfigured" ? server.problem : "").toMatch(mentions);
  });
});
