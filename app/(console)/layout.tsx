import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { getRequestSession } from "@/server/auth/session";
import { getDb } from "@/server/db";
import { anyUserExists } from "@/server/services/access/owner-setup";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getRequestSession();
  if (!session) redirect((await anyUserExists(getDb())) ? "/sign-in" : "/setup");
  return <AppShell tenantId={session.session.activeOrganizationId ?? null}>{children}</AppShell>;
}
