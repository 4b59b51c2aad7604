import { describe, expect, it } from "vitest";
import {
  callerFor,
  createTenantWithSkill,
  createUser,
  openTestDatabase,
  signIn,
} from "@/test/fixtures";

const { db, auth } = openTestDatabase();

describe("cookie-authenticated mutations from another site", () => {
  it("are refused before they change anything; same-origin and non-browser requests pass", async () => {
    const { tenant } = await createTenantWithSkill(db);
    const operator = await createUser(db, [{ tenantId: tenant.id, role: "operator" }]);
    const session = await signIn(auth, operator.email);
    const withHeaders = (extra: Record<string, string>) => {
      const headers = new Headers(session);
      headers.set("host", "console.example.com");
      for (const [name, value] of Object.entries(extra)) headers.set(name, value);
      return callerFor(db, auth, headers);
    };
    const start = (caller: Awaited<ReturnType<typeof callerFor>>) =>
      caller.runs
        .list({})
        .then(() => caller.runs.cancel({ runId: "00000000-0000-4000-8000-000000000000" }));

    const crossSite: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "https://other.example.com" },
    ];
    for (const extra of crossSite) {
      await expect(start(await withHeaders(extra))).rejects.toMatchObject({
        code: "FORBIDDEN",
        message: "Cross-site requests are refused.",
      });
    }
    // Reads are not mutations; same-origin and header-less (non-browser) mutations reach the service.
    expect(
      await (await withHeaders({ origin: "https://evil.example" })).runs.list({}),
    ).toMatchObject({ runs: [] });
    const sameSite: Record<string, string>[] = [
      { origin: "https://console.example.com" },
      { "sec-fetch-site": "same-origin" },
      {},
    ];
    for (const extra of sameSite) {
      await expect(start(await withHeaders(extra))).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
  });
});
