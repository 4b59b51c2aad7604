import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { getRequestSession } from "@/server/auth/session";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const session = await getRequestSession();
  if (!session) redirect("/sign-in");
  return <AppShell tenantId={session.session.activeOrganizationId ?? null}>{children}</AppShell>;
}
