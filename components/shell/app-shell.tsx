"use client";

import type { ReactNode } from "react";
import { ModelBanner } from "@/components/agents/model-banner";
import { usePinTabTenant } from "@/components/providers/tab-tenant";
import { BudgetBanner } from "@/components/settings/budget-banner";
import { CommandPaletteProvider } from "./command-palette";
import { MobileTopBar } from "./mobile-top-bar";
import { RunNowProvider } from "./run-now-provider";
import { SidebarContent } from "./sidebar";
import { StaleTabNotice } from "./stale-tab-notice";
import { useSignOut } from "./use-sign-out";

/** `tenantId`: the session's active tenant when the console was rendered; this tab shows it. */
export function AppShell({ tenantId, children }: { tenantId: string | null; children: ReactNode }) {
  usePinTabTenant(tenantId);
  const { signingOut, signOut } = useSignOut();
  if (signingOut) {
    return (
      <p
        role="status"
        className="text-muted-foreground grid min-h-screen place-items-center text-sm"
      >
        Signing out…
      </p>
    );
  }
  const onSignOut = () => void signOut();
  return (
    <RunNowProvider>
      <CommandPaletteProvider>
        <div className="min-h-screen md:grid md:grid-cols-[15rem_minmax(0,1fr)]">
          <MobileTopBar onSignOut={onSignOut} />
          <aside className="border-border bg-muted/40 sticky top-0 hidden h-screen flex-col overflow-y-auto border-r md:flex">
            <SidebarContent
              heading={
                <div className="px-5 py-4 text-lg font-semibold tracking-tight">Skillrun</div>
              }
              onSignOut={onSignOut}
            />
          </aside>
          <main className="min-w-0 px-4 py-5 sm:px-6 md:px-8 md:py-6">
            <StaleTabNotice />
            <ModelBanner />
            <BudgetBanner />
            {children}
          </main>
        </div>
      </CommandPaletteProvider>
    </RunNowProvider>
  );
}
