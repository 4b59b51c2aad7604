"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { LogOut } from "lucide-react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { loadAuthClient } from "@/components/auth/load-auth-client";
import { useTRPC } from "@/components/providers/trpc";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";

export function UserMenu() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const viewer = useQuery(trpc.viewer.get.queryOptions());

  async function signOut() {
    const { error } = await (await loadAuthClient()).signOut();
    if (error) {
      toast.error(`Sign-out failed: ${error.message ?? "unknown error"}`);
      return;
    }
    queryClient.clear();
    router.replace("/sign-in");
    router.refresh();
  }

  return (
    <div className="flex items-center gap-2">
      <div className="min-w-0 flex-1">
        {viewer.data ? (
          <>
            <p className="truncate text-sm font-medium">{viewer.data.user.name}</p>
            <p className="text-muted-foreground truncate text-xs">{viewer.data.user.email}</p>
          </>
        ) : (
          <Skeleton className="h-8 w-full" />
        )}
      </div>
      <Button
        variant="ghost"
        size="icon"
        onClick={() => void signOut()}
        aria-label="Sign out"
        title="Sign out"
      >
        <LogOut aria-hidden />
      </Button>
    </div>
  );
}
