import { useSyncExternalStore } from "react";

/**
 * Whether `query` matches. The server, and hydration, use `serverValue`; the real answer comes
 * right after, so markup that depends on it never mismatches.
 */
export function useMediaQuery(query: string, serverValue: boolean): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const list = window.matchMedia(query);
      list.addEventListener("change", onChange);
      return () => list.removeEventListener("change", onChange);
    },
    () => window.matchMedia(query).matches,
    () => serverValue,
  );
}

/** Tailwind's `md`: the table from here up, the card list below. */
export const WIDE_QUERY = "(min-width: 48rem)";
