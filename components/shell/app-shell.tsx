"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { RunNowProvider } from "./run-now-provider";
import { cn } from "@/components/ui/cn";
import { ModelBanner } from "@/components/agents/model-banner";
import { usePinTabTenant } from "@/components/providers/tab-tenant";
import { CommandPalette } from "./command-palette";
import { NAV_ITEMS } from "./nav";
import { StaleTabNotice } from "./stale-tab-notice";
import { TenantSwitcher } from "./tenant-switcher";
import { UserMenu } from "./user-menu";

/** `tenantId`: the session's active tenant when the console was rendered; this tab shows it. */
export function AppShell({ tenantId, children }: { tenantId: string | null; children: ReactNode }) {
  const pathname = usePathname();
  usePinTabTenant(tenantId);
  return (
    <RunNowProvider>
      <div className="grid min-h-screen grid-cols-[15rem_1fr]">
        <aside className="border-border bg-muted/40 flex flex-col border-r">
          <div className="px-5 py-4 text-lg font-semibold tracking-tight">Skillrun</div>
          <div className="flex flex-col gap-2 px-3 pb-3">
            <TenantSwitcher />
            <CommandPalette />
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
                    "text-muted-foreground hover:bg-muted hover:text-foreground focus-visible:ring-ring flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium outline-none focus-visible:ring-2",
                    active && "bg-card text-foreground shadow-xs",
                  )}
                >
                  <Icon className="size-4" aria-hidden />
                  {label}
                </Link>
              );
            })}
          </nav>
          <div className="border-border border-t p-3">
            <UserMenu />
          </div>
        </aside>
        <main className="min-w-0 px-8 py-6">
          <StaleTabNotice />
          <ModelBanner />
          {children}
        </main>
      </div>
    </RunNowProvider>
  );
}
