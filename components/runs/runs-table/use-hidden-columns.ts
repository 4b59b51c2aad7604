import { useCallback, useMemo, useSyncExternalStore } from "react";

/** The runs table's columns a member may hide; status and skill always show. */
export const OPTIONAL_COLUMNS = [
  "agent",
  "source",
  "created",
  "duration",
  "tokens",
  "cost",
] as const;
export type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

const STORAGE_KEY = "skillrun.runs.hidden-columns";
const listeners = new Set<() => void>();

function readStored(): string {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? "";
  } catch {
    // Storage refused (a locked-down browser): every column shows.
    return "";
  }
}

function subscribe(onChange: () => void) {
  listeners.add(onChange);
  // Another tab's choice, too.
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) onChange();
  };
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(onChange);
    window.removeEventListener("storage", onStorage);
  };
}

const isOptionalColumn = (value: string): value is OptionalColumn =>
  (OPTIONAL_COLUMNS as readonly string[]).includes(value);

/**
 * The columns this browser hides, kept in localStorage. The server and hydration render every
 * column (the stored choice applies right after), so the markup never mismatches.
 */
export function useHiddenColumns(): [OptionalColumn[], (hidden: OptionalColumn[]) => void] {
  const stored = useSyncExternalStore(subscribe, readStored, () => "");
  const hidden = useMemo(() => stored.split(",").filter(isOptionalColumn), [stored]);
  const setHidden = useCallback((next: OptionalColumn[]) => {
    try {
      window.localStorage.setItem(STORAGE_KEY, next.join(","));
    } catch {
      return;
    }
    for (const listener of listeners) listener();
  }, []);
  return [hidden, setHidden];
}
