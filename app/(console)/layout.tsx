import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { getRequestSession } from "@/server/auth/session";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  if (!(await getRequestSession())) redirect("/sign-in");
  return <AppShell>{children}</AppShell>;
}
