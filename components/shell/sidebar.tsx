"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { ApprovalsCount } from "@/components/approvals/approvals-count";
import { SavedViewsNav } from "@/components/runs/saved-views/saved-views-nav";
import { cn } from "@/components/ui/cn";
import { CommandPaletteButton } from "./command-palette";
import { currentNavHref, NAV_ITEMS, type NavHref, type NavLink } from "./nav";
import { TenantSwitcher } from "./tenant-switcher";
import { UserMenu } from "./user-menu";

const linkClass =
  "text-muted-foreground hover:bg-muted hover:text-foreground focus-visible:ring-ring flex items-center gap-2.5 rounded-md px-2.5 outline-none focus-visible:ring-2";

function NavEntry({
  link,
  current,
  nested = false,
  onNavigate,
}: {
  link: NavLink<NavHref>;
  current: boolean;
  nested?: boolean;
  onNavigate?: () => void;
}) {
  const Icon = link.icon;
  return (
    <Link
      href={link.href}
      onClick={onNavigate}
      aria-current={current ? "page" : undefined}
      className={cn(
        linkClass,
        nested ? "py-1.5 text-[13px]" : "py-2 text-sm font-medium",
        current && "bg-card text-foreground shadow-xs",
      )}
    >
      <Icon className={nested ? "size-3.5" : "size-4"} aria-hidden />
      {link.label}
      {link.href === "/approvals" && <ApprovalsCount />}
    </Link>
  );
}

/**
 * The console's navigation, tenant and user: the sidebar from `md` up, the menu drawer below.
 * `onNavigate` closes the drawer when a link is followed.
 */
export function SidebarContent({
  heading,
  onNavigate,
  onSignOut,
}: {
  heading: ReactNode;
  onNavigate?: () => void;
  onSignOut: () => void;
}) {
  const current = currentNavHref(usePathname());
  return (
    <>
      {heading}
      <div className="flex flex-col gap-2 px-3 pb-3">
        <TenantSwitcher />
        <CommandPaletteButton onOpen={onNavigate} />
      </div>
      <nav aria-label="Main" className="flex flex-1 flex-col gap-0.5 px-3 pb-3">
        {NAV_ITEMS.map((item) => (
          <div key={item.href} className="flex flex-col gap-0.5">
            <NavEntry link={item} current={current === item.href} onNavigate={onNavigate} />
            {item.href === "/runs" && (
              <SavedViewsNav startFolded={Boolean(onNavigate)} onNavigate={onNavigate} />
            )}
            {item.children && (
              <div className="border-border ml-[1.125rem] flex flex-col gap-0.5 border-l pl-2">
                {item.children.map((child) => (
                  <NavEntry
                    key={child.href}
                    link={child}
                    current={current === child.href}
                    nested
                    onNavigate={onNavigate}
                  />
                ))}
              </div>
            )}
          </div>
        ))}
      </nav>
      <div className="border-border border-t p-3">
        <UserMenu onSignOut={onSignOut} />
      </div>
    </>
  );
}
