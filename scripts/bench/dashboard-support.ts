/**
 * The dashboard bench's pieces: a tRPC fetch handler called with a real better-auth session
 * cookie of the Acme owner (as app/api/trpc/[trpc]/route.ts builds it), and a plan summary.
 */
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { eq } from "drizzle-orm";
import type postgres from "postgres";
import superjson from "superjson";
import { TENANT_HEADER } from "@/lib/tenant-header";
import { createAuth } from "@/server/auth/config";
import type { Database } from "@/server/db/client";
import { DEMO_ADMIN, DEMO_TENANT_SLUG } from "@/server/db/demo-accounts";
import { tenants } from "@/server/db/schema";
import type { RunDispatcher } from "@/server/services/runs/runs";
import { createTRPCContext } from "@/server/trpc/init";
import { appRouter } from "@/server/trpc/root";

export async function signedInHandler(db: Database) {
  const auth = createAuth(db);
  const [acme] = await db
    .select({ id: tenants.id })
    .from(tenants)
    .where(eq(tenants.slug, DEMO_TENANT_SLUG));
  if (!acme) throw new Error("the Acme tenant is missing");
  const signedIn = await auth.api.signInEmail({
    body: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password },
    asResponse: true,
  });
  if (!signedIn.ok) throw new Error(`sign-in failed with ${signedIn.status}`);
  const cookie = signedIn.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  await auth.api.setActiveOrganization({
    headers: new Headers({ cookie }),
    body: { organizationId: acme.id },
  });
  const tenantId = acme.id;
  const dispatcher: RunDispatcher = { send: async () => ({ ids: [] }) };
  /** One GET through the handler; throws unless it answered 200. */
  async function call(procedure: string, input: unknown): Promise<unknown> {
    const request = new Request(
      `http://localhost:3000/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`,
      { headers: { cookie, [TENANT_HEADER]: tenantId } },
    );
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () => createTRPCContext({ headers: request.headers, db, auth, dispatcher }),
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`${procedure} answered ${response.status}: ${body}`);
    return JSON.parse(body);
  }
  return { tenantId, call };
}

export type PlanSummary = {
  seqScans: string[];
  access: string;
  heapFetches: number;
  executionMs: number;
  text: string;
};

/** EXPLAIN (ANALYZE, BUFFERS) of the exact SQL and parameters, twice (the first warms the catalog). */
export async function explainPlan(
  sql: postgres.Sql,
  query: { sql: string; params: unknown[] },
): Promise<PlanSummary> {
  const explain = async () =>
    (
      await sql.unsafe<{ "QUERY PLAN": string }[]>(
        `explain (analyze, buffers) ${query.sql}`,
        query.params as never[],
        { prepare: false },
      )
    )
      .map((row) => row["QUERY PLAN"])
      .join("\n");
  await explain();
  const text = await explain();
  const access = [
    ...text.matchAll(
      /(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)/g,
    ),
  ].map((match) => `${match[1]} ${match[2]}`);
  return {
    seqScans: [...new Set([...text.matchAll(/Seq Scan on (\w+)/g)].map((match) => match[1] ?? ""))],
    access: [...new Set(access)].join(", "),
    heapFetches: [...text.matchAll(/Heap Fetches: (\d+)/g)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    ),
    executionMs: Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? Number.NaN),
    text,
  };
}
