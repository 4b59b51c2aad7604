"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { RunNowProvider } from "@/components/runs/run-now-provider";
import { cn } from "@/components/ui/cn";
import { ModelBanner } from "@/components/agents/model-banner";
import { NAV_ITEMS } from "./nav";
import { TenantSwitcher } from "./tenant-switcher";
import { UserMenu } from "./user-menu";

export function AppShell({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  return (
    <div className="grid min-h-screen grid-cols-[15rem_1fr]">
      <aside className="flex flex-col border-r border-border bg-muted/40">
        <div className="px-5 py-4 text-lg font-semibold tracking-tight">Skillrun</div>
        <div className="px-3 pb-3">
          <TenantSwitcher />
        </div>
        <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 px-3">
          {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium text-muted-foreground outline-none hover:bg-muted hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring",
                  active && "bg-card text-foreground shadow-xs",
                )}
              >
                <Icon className="size-4" aria-hidden />
                {label}
              </Link>
            );
          })}
        </nav>
        <div className="border-t border-border p-3">
          <UserMenu />
        </div>
      </aside>
      <main className="min-w-0 px-8 py-6">
        <RunNowProvider>
          <ModelBanner />
          {children}
        </RunNowProvider>
      </main>
    </div>
  );
}
