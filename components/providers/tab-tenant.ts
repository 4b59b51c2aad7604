"use client";

import { useLayoutEffect, useState, useSyncExternalStore } from "react";

/**
 * The tenant this tab shows: the one the console was rendered for, changed only by a switch in
 * this tab. Every tRPC request names it (see trpc.tsx), so a switch in another tab, which moves
 * the shared session, makes this tab's requests fail instead of acting in the other tenant.
 * A module variable is per tab by construction: each tab runs its own copy of the bundle.
 */
let tabTenantId: string | null = null;
const listeners = new Set<() => void>();

export function getTabTenantId(): string | null {
  return tabTenantId;
}

/** After a switch in this tab; the next requests name the new tenant. */
export function setTabTenantId(tenantId: string | null) {
  tabTenantId = tenantId;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useTabTenantId(): string | null {
  return useSyncExternalStore(subscribe, getTabTenantId, () => null);
}

/**
 * Pins the tenant the console was rendered for, once per mount. Later renders with another
 * tenant (a refresh after a switch in another tab) leave the pin alone: the data on screen is
 * still the first tenant's. A layout effect runs before any query of the page is sent.
 */
export function usePinTabTenant(renderedForTenantId: string | null) {
  const [pinned] = useState(renderedForTenantId);
  useLayoutEffect(() => {
    setTabTenantId(pinned);
    return () => setTabTenantId(null);
  }, [pinned]);
}
