import { sql } from "drizzle-orm";
import { getDb } from "@/server/db";

export const dynamic = "force-dynamic";

/** Ready when the app can reach its database. The launcher and the e2e suite wait on it. */
export async function GET() {
  try {
    await getDb().execute(sql`select 1`);
    return Response.json({ status: "ok" });
  } catch {
    return Response.json(
      { status: "unavailable", reason: "database unreachable" },
      { status: 503 },
    );
  }
}
