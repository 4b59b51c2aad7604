import { describe, expect, it } from "vitest";
import { currentNavHref } from "./nav";

describe("currentNavHref", () => {
  it("marks the section a page belongs to", () => {
    expect(currentNavHref("/runs")).toBe("/runs");
    expect(currentNavHref("/runs/0b6f3c1e-2a4d-4c8b-9f10-123456789abc")).toBe("/runs");
    expect(currentNavHref("/settings")).toBe("/settings");
  });

  it("marks a settings page's own link, not Settings as well", () => {
    expect(currentNavHref("/settings/audit")).toBe("/settings/audit");
    expect(currentNavHref("/settings/api")).toBe("/settings/api");
  });

  it("marks an agent part's own link, and Agents for an agent's page", () => {
    expect(currentNavHref("/agents/templates/0b6f3c1e-2a4d-4c8b-9f10-123456789abc")).toBe(
      "/agents/templates",
    );
    expect(currentNavHref("/agents/knowledge")).toBe("/agents/knowledge");
    expect(currentNavHref("/agents/0b6f3c1e-2a4d-4c8b-9f10-123456789abc")).toBe("/agents");
    expect(currentNavHref("/agents/new")).toBe("/agents");
  });

  it("marks Dashboard on the home page only", () => {
    expect(currentNavHref("/")).toBe("/");
    expect(currentNavHref("/skills")).toBe("/skills");
  });

  it("needs a whole path segment to match", () => {
    expect(currentNavHref("/runsx")).toBeNull();
    expect(currentNavHref("/settings/apix")).toBe("/settings");
  });
});
