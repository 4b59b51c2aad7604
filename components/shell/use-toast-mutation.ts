"use client";

import {
  useMutation,
  useQueryClient,
  type QueryKey,
  type UseMutationOptions,
} from "@tanstack/react-query";
import type { Route } from "next";
import { useRouter } from "next/navigation";
import { toast } from "sonner";

/** A success toast: plain words, or words with a link to what the action made. */
export type SuccessToast = string | { message: string; link: { label: string; href: Route } };

type ToastEffects<TData, TVariables> = {
  /** Said on success; a function can word it from the result, or return null to say nothing. */
  success?: SuccessToast | ((data: TData, variables: TVariables) => SuccessToast | null);
  /** Queries whose data the mutation changed; refetched (and awaited) after success. */
  invalidate?: QueryKey[];
  /** Refetch them after a failure too, when failing may mean the data moved on meanwhile. */
  invalidateOnError?: boolean;
  /** What follows the toast and the refetch: navigate, say more. */
  afterSuccess?: (data: TData, variables: TVariables) => unknown;
};

/**
 * `useMutation` with the console's reporting: a success toast, the changed queries refetched,
 * and the server's message as an error toast. The options' own `onSuccess` runs first, for state
 * that should change at once (show a secret, clear a field).
 */
export function useToastMutation<TData, TError extends { message: string }, TVariables, TContext>(
  options: UseMutationOptions<TData, TError, TVariables, TContext>,
  effects: ToastEffects<TData, TVariables> = {},
) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const refetch = () =>
    Promise.all(
      (effects.invalidate ?? []).map((queryKey) => queryClient.invalidateQueries({ queryKey })),
    );
  return useMutation({
    ...options,
    onSuccess: async (...args) => {
      await options.onSuccess?.(...args);
      const [data, variables] = args;
      const said =
        typeof effects.success === "function" ? effects.success(data, variables) : effects.success;
      if (typeof said === "string") toast.success(said);
      else if (said) {
        const { href, label } = said.link;
        toast.success(said.message, { action: { label, onClick: () => router.push(href) } });
      }
      await refetch();
      await effects.afterSuccess?.(data, variables);
    },
    onError: async (error) => {
      toast.error(error.message);
      if (effects.invalidateOnError) await refetch();
    },
  });
}
