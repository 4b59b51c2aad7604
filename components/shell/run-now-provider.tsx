"use client";

import dynamic from "next/dynamic";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import type { RunNowRequest } from "@/components/runs/run-now-dialog";

// The form, its validator and react-hook-form load on first use, not with every page.
const RunNowDialog = dynamic(
  () => import("@/components/runs/run-now-dialog").then((module) => module.RunNowDialog),
  { ssr: false },
);

const RunNowContext = createContext<((request: RunNowRequest) => void) | null>(null);

/** One Run now dialog for the console; any page, row or the command palette opens it. */
export function RunNowProvider({ children }: { children: ReactNode }) {
  const [request, setRequest] = useState<RunNowRequest | null>(null);
  const open = useCallback((next: RunNowRequest) => setRequest(next), []);
  const close = useCallback(() => setRequest(null), []);
  return (
    <RunNowContext.Provider value={open}>
      {children}
      {request && <RunNowDialog request={request} onClose={close} />}
    </RunNowContext.Provider>
  );
}

export function useRunNow() {
  const open = useContext(RunNowContext);
  if (!open) throw new Error("useRunNow needs a RunNowProvider above it.");
  return useMemo(() => ({ open }), [open]);
}
