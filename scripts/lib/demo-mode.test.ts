import { describe, expect, it } from "vitest";
import { demoSeedRequested } from "./demo-mode";

describe("whether the launcher seeds the demo accounts", () => {
  it("`npm start` seeds nothing unless asked, by --demo or SKILLRUN_DEMO", () => {
    expect(demoSeedRequested({ mode: "start", demoFlag: false, demoSetting: undefined })).toBe(
      false,
    );
    expect(demoSeedRequested({ mode: "start", demoFlag: false, demoSetting: false })).toBe(false);
    expect(demoSeedRequested({ mode: "start", demoFlag: true, demoSetting: undefined })).toBe(true);
    expect(demoSeedRequested({ mode: "start", demoFlag: false, demoSetting: true })).toBe(true);
  });

  it("`npm run dev` seeds by default (the quickstart), unless SKILLRUN_DEMO=0 says not to", () => {
    expect(demoSeedRequested({ mode: "dev", demoFlag: false, demoSetting: undefined })).toBe(true);
    expect(demoSeedRequested({ mode: "dev", demoFlag: false, demoSetting: false })).toBe(false);
  });

  it("--demo wins over SKILLRUN_DEMO=0", () => {
    expect(demoSeedRequested({ mode: "start", demoFlag: true, demoSetting: false })).toBe(true);
    expect(demoSeedRequested({ mode: "dev", demoFlag: true, demoSetting: false })).toBe(true);
  });
});
