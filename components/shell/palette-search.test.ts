import { describe, expect, it } from "vitest";
import { rankCommand, runIdIn } from "./palette-search";

const RUN_ID = "0b6f3c1e-2a4d-4c8b-9f10-123456789abc";

describe("runIdIn", () => {
  it("finds an id typed, pasted in capitals, or inside a run page's URL", () => {
    expect(runIdIn(RUN_ID)).toBe(RUN_ID);
    expect(runIdIn(` ${RUN_ID.toUpperCase()} `)).toBe(RUN_ID);
    expect(runIdIn(`https://skillrun.example/runs/${RUN_ID}?tab=timeline`)).toBe(RUN_ID);
  });

  it("finds nothing in a partial id or in words", () => {
    expect(runIdIn(RUN_ID.slice(0, 20))).toBeNull();
    expect(runIdIn("release notes")).toBeNull();
  });
});

describe("rankCommand", () => {
  it("keeps only the items holding every word typed", () => {
    expect(rankCommand("run Postmortem draft", "post")).toBeGreaterThan(0);
    expect(rankCommand("run Customer email reply", "post")).toBe(0);
    // Scattered letters are not a match: p…o…s…t.
    expect(rankCommand("go Schedules, open Support ticket", "post")).toBe(0);
    expect(rankCommand("run Release notes", "release run")).toBeGreaterThan(0);
    expect(rankCommand("run Release notes", "release skill")).toBe(0);
  });

  it("ranks a word's start above its middle, and reads keywords too", () => {
    expect(rankCommand("go Runs", "run")).toBeGreaterThan(rankCommand("go Reruns", "run"));
    expect(rankCommand("go Reruns", "run")).toBeGreaterThan(0);
    expect(rankCommand("theme dark", "appearance", ["appearance"])).toBe(1);
  });

  it("lists everything before anything is typed", () => {
    expect(rankCommand("go Runs", "  ")).toBe(1);
  });
});
