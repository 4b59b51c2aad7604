"use client";

import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { RunNowDialog, type RunNowRequest } from "./run-now-dialog";

const RunNowContext = createContext<((request: RunNowRequest) => void) | null>(null);

/** One Run now dialog for the console; any page, row or the command palette opens it. */
export function RunNowProvider({ children }: { children: ReactNode }) {
  const [request, setRequest] = useState<RunNowRequest | null>(null);
  const open = useCallback((next: RunNowRequest) => setRequest(next), []);
  const close = useCallback(() => setRequest(null), []);
  return (
    <RunNowContext.Provider value={open}>
      {children}
      <RunNowDialog request={request} onClose={close} />
    </RunNowContext.Provider>
  );
}

export function useRunNow() {
  const open = useContext(RunNowContext);
  if (!open) throw new Error("useRunNow needs a RunNowProvider above it.");
  return useMemo(() => ({ open }), [open]);
}
