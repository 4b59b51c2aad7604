"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "@/components/providers/trpc";
import { useToastMutation } from "@/components/shell/use-toast-mutation";
import type { MemberRole } from "@/lib/enums";
import { article, without, type Member } from "./member";

/** Re-role and remove, with the role drafts the table edits before saving. */
export function useMemberMutations(members: Member[] | undefined, onRemoved: () => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [drafts, setDrafts] = useState<Record<string, MemberRole>>({});
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  /** My own role or membership changed: every page's permissions may have too. */
  const refreshEverything = async () => {
    await queryClient.invalidateQueries();
    router.refresh();
  };
  const memberOf = (memberId: string) => members?.find((row) => row.id === memberId);

  const updateRole = useToastMutation(
    trpc.members.updateRole.mutationOptions({
      onSuccess: (_result, input) => setDrafts((current) => without(current, input.memberId)),
    }),
    {
      success: (result, input) =>
        result.changed
          ? `${memberOf(input.memberId)?.email ?? "The member"} is now ${article(result.role)} ${result.role}`
          : null,
      afterSuccess: (_result, input) =>
        memberOf(input.memberId)?.isYou ? refreshEverything() : refresh(),
    },
  );
  const remove = useToastMutation(trpc.members.remove.mutationOptions({ onSuccess: onRemoved }), {
    success: (result) => (result.removedSelf ? "You left this tenant" : "Member removed"),
    afterSuccess: async (result) => {
      if (!result.removedSelf) return refresh();
      await refreshEverything();
      router.push("/skills");
    },
  });
  return { updateRole, remove, drafts, setDrafts };
}
