"use client";

import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { flushSync } from "react-dom";
import { toast } from "sonner";
import { loadAuthClient } from "@/components/auth/load-auth-client";

const SETTLE_AT_MOST_MS = 5_000;

/** Resolves once no query or mutation is in flight (or after a few seconds, whatever is left). */
function settled(queryClient: QueryClient): Promise<void> {
  const idle = () => queryClient.isFetching() === 0 && queryClient.isMutating() === 0;
  if (idle()) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      stopQueries();
      stopMutations();
      resolve();
    };
    const check = () => {
      if (idle()) stop();
    };
    const timer = setTimeout(stop, SETTLE_AT_MOST_MS);
    const stopQueries = queryClient.getQueryCache().subscribe(check);
    const stopMutations = queryClient.getMutationCache().subscribe(check);
  });
}

/**
 * Sign-out without refused requests: a request still in flight when the session ends comes back
 * 401, which the browser and the tRPC client log as errors. So the console is unmounted first
 * (`signingOut`: no query polls or refetches any more), what was already sent finishes under the
 * session it was sent with, and only then does the session end. Cancelling the queries would not
 * do: it forgets their results but does not stop the HTTP requests.
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  const router = useRouter();
  const [signingOut, setSigningOut] = useState(false);

  async function signOut() {
    flushSync(() => setSigningOut(true));
    await settled(queryClient);
    const { error } = await (await loadAuthClient()).signOut();
    if (error) {
      setSigningOut(false);
      toast.error(`Sign-out failed: ${error.message ?? "unknown error"}`);
      return;
    }
    queryClient.clear();
    router.replace("/sign-in");
    router.refresh();
  }

  return { signingOut, signOut };
}
